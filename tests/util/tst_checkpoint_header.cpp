// The checkpoint file header without LibTorch (util/CheckpointHeader): CRC-32 against the standard check
// value, the 32 bytes written, format-2 and format-1 files accepted, and each way a file is refused named in
// one message that starts with the file. Fuzzed by tests/fuzz/fuzz_checkpoint_header.cpp.
#include <QtTest/QtTest>

#include "TestMain.h"
#include "util/CheckpointHeader.h"

#include <string>

using namespace automoe;

namespace {

std::string headerOf(const std::string& archive) {
    unsigned char h[kCheckpointHeaderSize];
    writeCheckpointHeader(h, crc32Update(0, archive.data(), archive.size()), archive.size());
    return std::string(reinterpret_cast<const char*>(h), kCheckpointHeaderSize);
}

CheckpointArchiveSpan check(const std::string& bytes) {
    return checkCheckpointBytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), "f.pt");
}

QString errorOf(const std::string& bytes) {
    try {
        check(bytes);
    } catch (const CheckpointHeaderError& e) {
        return QString::fromStdString(e.what());
    }
    return "no error";
}

} // namespace

class TestCheckpointHeader : public QObject {
    Q_OBJECT

private slots:
    void crc32IsZlibs() {
        // The CRC-32 check value (zlib.crc32(b"123456789")), in one call and in two.
        QCOMPARE(crc32Update(0, "123456789", 9), 0xCBF43926u);
        QCOMPARE(crc32Update(crc32Update(0, "1234", 4), "56789", 5), 0xCBF43926u);
        QCOMPARE(crc32Update(0, "", 0), 0u);
    }

    void headerBytes() {
        const std::string h = headerOf("abc"); // zlib.crc32(b"abc") = 0x352441c2
        const std::string expected("AMOECKPT"
                                   "\x02\x00\x00\x00"
                                   "\xc2\x41\x24\x35"
                                   "\x03\x00\x00\x00\x00\x00\x00\x00"
                                   "\x00\x00\x00\x00\x00\x00\x00\x00",
                                   32);
        QCOMPARE(QByteArray::fromStdString(h).toHex(), QByteArray::fromStdString(expected).toHex());
    }

    void acceptsBothFormats() {
        const CheckpointArchiveSpan v2 = check(headerOf("abc") + "abc");
        QCOMPARE(v2.offset, std::uint64_t(32));
        QCOMPARE(v2.size, std::uint64_t(3));
        QVERIFY(v2.hasCrc);
        QCOMPARE(v2.crc, 0x352441C2u);
        // Format 1: the bare archive (a zip file), short or long, without a check.
        for (const std::string& zip : {std::string("PK\x03\x04xyz"), "PK\x03\x04" + std::string(100, 'z')}) {
            const CheckpointArchiveSpan v1 = check(zip);
            QCOMPARE(v1.offset, std::uint64_t(0));
            QCOMPARE(v1.size, std::uint64_t(zip.size()));
            QVERIFY(!v1.hasCrc);
        }
    }

    void refusals_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const std::string good = headerOf("abc") + "abc";
        std::string version3 = good;
        version3[8] = 3;
        std::string flipped = good;
        flipped[34] = 'd'; // "abd": zlib.crc32 = 0xab40d461
        QTest::newRow("empty") << QByteArray()
                               << "checkpoint f.pt is truncated or not a checkpoint (0 bytes)";
        QTest::newRow("short") << QByteArray("AMOE")
                               << "checkpoint f.pt is truncated or not a checkpoint (4 bytes)";
        QTest::newRow("no header") << QByteArray(40, 'x')
                                   << "checkpoint f.pt is not a checkpoint (no AMOECKPT header)";
        QTest::newRow("version") << QByteArray::fromStdString(version3)
                                 << "checkpoint f.pt has header version 3 (this build reads 2)";
        QTest::newRow("truncated") << QByteArray::fromStdString(good.substr(0, 34))
                                   << "checkpoint f.pt is truncated or damaged: its header declares 3 bytes "
                                      "of archive, the file holds 2";
        QTest::newRow("longer")
            << QByteArray::fromStdString(good + "!")
            << "checkpoint f.pt is truncated or damaged: its header declares 3 bytes of archive, "
               "the file holds 4";
        QTest::newRow("flipped")
            << QByteArray::fromStdString(flipped)
            << "checkpoint f.pt is damaged: CRC-32 ab40d461 of its bytes, 352441c2 in its header";
    }

    void refusals() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        QCOMPARE(errorOf(bytes.toStdString()), message);
    }
};

AUTOMOE_TEST_MAIN(TestCheckpointHeader)
#include "tst_checkpoint_header.moc"
