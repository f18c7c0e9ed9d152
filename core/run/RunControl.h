// Pause / resume / cancel for a run's worker thread. The worker calls checkpoint() between units of work
// (one training update, one candidate evaluation); it blocks there while paused and returns false once
// cancelled, so every request takes effect within one unit. Safe from any thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace automoe {

class RunControl {
public:
    void pause() {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = true;
    }
    void resume() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            paused_ = false;
        }
        wake_.notify_all();
    }
    void cancel() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            cancelled_ = true;
        }
        wake_.notify_all();
    }
    bool isPaused() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return paused_;
    }
    bool isCancelled() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return cancelled_;
    }
    // Called by the worker. `onPause(true)` runs when it starts waiting, `onPause(false)` when it goes on.
    template <class F> bool checkpoint(F&& onPause) {
        std::unique_lock<std::mutex> lock(mutex_);
        if (paused_ && !cancelled_) {
            lock.unlock();
            onPause(true);
            lock.lock();
            wake_.wait(lock, [&] { return !paused_ || cancelled_; });
            lock.unlock();
            onPause(false);
            lock.lock();
        }
        return !cancelled_;
    }
    bool checkpoint() {
        return checkpoint([](bool) {});
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool paused_ = false;
    bool cancelled_ = false;
};

} // namespace automoe
