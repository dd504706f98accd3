#include "racecheck.hpp"

#include "cta.hpp"

namespace attn4j {
namespace emu {

namespace {
constexpr size_t kGranule = 1;  // bytes: threads may store neighbouring bytes

std::string at(size_t offset) {
    return "shared offset " + std::to_string(offset);
}
}  // namespace

SharedRaceCheck::SharedRaceCheck() : granules_(kEmuMaxSharedBytes / kGranule) {}

void SharedRaceCheck::begin_cta() {
    ++cta_serial_;
    epoch_ = cta_serial_ << 32;
}

std::string SharedRaceCheck::read(size_t offset, size_t n, int tid) {
    for (size_t g = offset / kGranule; g < (offset + n + kGranule - 1) / kGranule && g < granules_.size(); ++g) {
        Granule& x = granules_[g];
        if (in_flight(x)) {
            return "read of " + at(g * kGranule) + " while thread " + std::to_string(x.writer) +
                   "'s cp.async into it is still in flight (its group was not waited for)";
        }
        if (x.write_epoch == epoch_ && x.writer != tid) {
            return "read-after-write hazard at " + at(g * kGranule) + ": thread " + std::to_string(x.writer) +
                   " wrote it since the last barrier";
        }
        if (x.read_epoch == epoch_) {
            if (x.reader != tid) {
                x.many_readers = 1;
            }
        } else {
            x.read_epoch = epoch_;
            x.reader = static_cast<uint16_t>(tid);
            x.many_readers = 0;
        }
    }
    return "";
}

std::string SharedRaceCheck::write(size_t offset, size_t n, int tid) {
    for (size_t g = offset / kGranule; g < (offset + n + kGranule - 1) / kGranule && g < granules_.size(); ++g) {
        Granule& x = granules_[g];
        if (in_flight(x)) {
            return "write to " + at(g * kGranule) + " while thread " + std::to_string(x.writer) +
                   "'s cp.async into it is still in flight";
        }
        if (x.write_epoch == epoch_ && x.writer != tid) {
            return "write-after-write hazard at " + at(g * kGranule) + ": thread " + std::to_string(x.writer) +
                   " wrote it since the last barrier";
        }
        if (x.read_epoch == epoch_ && (x.many_readers || x.reader != tid)) {
            return "write-after-read hazard at " + at(g * kGranule) + ": thread " + std::to_string(x.reader) +
                   " read it since the last barrier";
        }
        x.write_epoch = epoch_;
        x.writer = static_cast<uint16_t>(tid);
    }
    return "";
}

std::string SharedRaceCheck::async_issue(size_t offset, int tid) {
    std::string hazard = write(offset, 16, tid);
    if (!hazard.empty()) {
        return hazard;
    }
    for (size_t g = offset / kGranule; g < (offset + 16) / kGranule && g < granules_.size(); ++g) {
        granules_[g].in_flight = 1;
    }
    return "";
}

void SharedRaceCheck::async_land(size_t offset, int tid) {
    for (size_t g = offset / kGranule; g < (offset + 16) / kGranule && g < granules_.size(); ++g) {
        Granule& x = granules_[g];
        // The landing is the issuing thread's write, in the epoch where it waits.
        x.in_flight = 0;
        x.write_epoch = epoch_;
        x.writer = static_cast<uint16_t>(tid);
    }
}

}  // namespace emu
}  // namespace attn4j
