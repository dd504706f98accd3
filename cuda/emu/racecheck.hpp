// Shared-memory hazard detection (what compute-sanitizer's racecheck finds on a GPU). Between two CTA barriers,
// a location that one thread writes must not be read or written by another thread (read-after-write,
// write-after-write), nor written after another thread read it (write-after-read); and nothing may read a location
// a cp.async is still copying into (a wait_group that waits for too few groups). Tracked per byte, by
// barrier epoch, so the verdict does not depend on the order the emulator happens to run threads in. Warp
// collectives do not order memory, as on Volta and later: lanes of one warp race like any two threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attn4j {
namespace emu {

class SharedRaceCheck {
public:
    SharedRaceCheck();

    /** Starts a new CTA: everything recorded before is forgotten. */
    void begin_cta();
    /** A barrier completed: accesses after it are ordered after everything before it. */
    void barrier() { ++epoch_; }

    /** Records an access of thread tid to [offset, offset + n) of shared memory; returns a hazard or "". */
    std::string read(size_t offset, size_t n, int tid);
    std::string write(size_t offset, size_t n, int tid);
    /** A cp.async into [offset, offset + 16) issued (the bytes land later) and landed. */
    std::string async_issue(size_t offset, int tid);
    void async_land(size_t offset, int tid);

private:
    struct Granule {
        uint64_t write_epoch = 0;
        uint64_t read_epoch = 0;
        uint16_t writer = 0;
        uint16_t reader = 0;
        uint8_t many_readers = 0;
        uint8_t in_flight = 0;  // a cp.async by writer has not landed
    };

    /** A cp.async of this CTA into the granule has not landed (flags of earlier CTAs are stale). */
    bool in_flight(const Granule& x) const { return x.in_flight && (x.write_epoch >> 32) == cta_serial_; }

    uint64_t epoch_ = 0;        // (CTA serial << 32) | barriers completed
    uint64_t cta_serial_ = 0;
    std::vector<Granule> granules_;
};

}  // namespace emu
}  // namespace attn4j
