// The emulated device's global memory: every allocation is host memory the emulator tracks, so a kernel's access can
// be checked against the live allocations (a small memcheck). Fresh and freed memory is filled with 0xff bytes (NaN
// in fp32, fp16 and bf16), so a read of memory nobody wrote shows up in the results. Freed blocks stay in a
// quarantine for a while before their memory is reused, so a stale pointer still points at memory the emulator
// knows was freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>

namespace attn4j {
namespace emu {

class DeviceMemory {
public:
    explicit DeviceMemory(size_t capacity);
    ~DeviceMemory();

    /** A new block of bytes (at least 1), 256-byte aligned, poisoned; null when the capacity would be exceeded. */
    void* allocate(size_t bytes, bool stream_ordered);

    /** Frees a block by its base address; false when ptr is not the base of a live block. */
    bool release(void* ptr);

    /** Frees every block (device reset). */
    void release_all();

    /** Whether [p, p + n) lies inside one live block. */
    bool contains(const void* p, size_t n) const;

    /** Whether p is the base address of a live block. */
    bool is_live_base(const void* p) const;

    /** A sentence on where p lies relative to the live and recently freed blocks (for fault reports). */
    std::string describe(const void* p, size_t n) const;

    size_t capacity() const { return capacity_; }
    size_t used() const;

    /** Changes when any block is freed: a cached lookup older than this is stale. */
    uint64_t generation() const { return generation_; }

    /** The block holding [p, p + n), as [base, end), or false. */
    bool find(const void* p, size_t n, uintptr_t& base, uintptr_t& end) const;

private:
    struct Block {
        size_t size = 0;
        bool stream_ordered = false;
    };
    struct Freed {
        uintptr_t base;
        size_t size;
        void* memory;
    };

    size_t capacity_;
    size_t used_ = 0;
    size_t quarantined_ = 0;
    uint64_t generation_ = 0;
    mutable std::shared_mutex mutex_;
    std::map<uintptr_t, Block> live_;
    std::deque<Freed> quarantine_;
};

}  // namespace emu
}  // namespace attn4j
