#include "store/RunLock.h"

#include "store/RunFiles.h"
#include "store/StoreError.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <thread>
#include <unistd.h>
#include <utility>

namespace automoe {

namespace {

// The pid the holder wrote into the lock file, or "" when it cannot be read.
std::string holderOf(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, size_t(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
    return pid;
}

} // namespace

RunLock::~RunLock() {
    release();
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

void RunLock::release() noexcept {
    if (fd_ >= 0) {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
        fd_ = -1;
    }
}

RunLock RunLock::acquire(const std::string& dbPath, std::int64_t runId) {
    RunLock lock;
    lock.path_ = runLockPath(dbPath, runId);
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(lock.path_).parent_path(), ec);
    lock.fd_ = ::open(lock.path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock.fd_ < 0)
        throw StoreError(lock.path_, std::string("cannot create the run lock: ") + std::strerror(errno));
    // A reader testing the lock holds it shared for a moment: try again for a little while before
    // concluding that another process executes the run.
    for (int attempt = 0;; ++attempt) {
        if (::flock(lock.fd_, LOCK_EX | LOCK_NB) == 0) break;
        if (errno != EWOULDBLOCK || attempt == 50) {
            const int err = errno;
            const std::string holder = holderOf(lock.fd_);
            lock.release();
            if (err != EWOULDBLOCK)
                throw StoreError(lock.path_, std::string("cannot lock the run: ") + std::strerror(err));
            throw StoreError(lock.path_, "run " + std::to_string(runId) + " is already being executed" +
                                             (holder.empty() ? std::string() : " by process " + holder) +
                                             "; wait for it to end or stop it first");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock.fd_, 0) != 0 ||
        ::pwrite(lock.fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
        // The pid is only for messages: a lock without it still works.
    }
    return lock;
}

bool RunLock::isHeld(const std::string& dbPath, std::int64_t runId) {
    const std::string path = runLockPath(dbPath, runId);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false; // never locked (or removed): nobody executes the run
    bool held = false;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0)
        ::flock(fd, LOCK_UN);
    else
        held = errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

} // namespace automoe
