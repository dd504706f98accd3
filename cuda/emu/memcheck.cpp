#include "memcheck.hpp"

#include <link.h>

#include <cstdint>
#include <string>

#include "cta.hpp"
#include "device.hpp"

namespace attn4j {
namespace emu {

namespace {

/** The allocation this host thread found last, valid while the memory's generation has not moved. */
struct LookupCache {
    uintptr_t base = 0;
    uintptr_t end = 0;
    uint64_t generation = ~0ull;
};
thread_local LookupCache t_cache;

/**
 * This host thread's block of the emulator's own thread-local storage: a kernel's static __shared__ variables are
 * thread_local (one per host thread, and a host thread runs one CTA at a time), and live there.
 */
struct TlsRange {
    uintptr_t low = 0;
    uintptr_t high = 0;
    bool known = false;
};
thread_local TlsRange t_tls;

int find_tls(dl_phdr_info* info, size_t, void* data) {
    auto* out = static_cast<TlsRange*>(data);
    const auto here = reinterpret_cast<uintptr_t>(&find_tls);
    bool mine = false;
    size_t tls_size = 0;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type == PT_LOAD && here >= info->dlpi_addr + ph.p_vaddr &&
            here < info->dlpi_addr + ph.p_vaddr + ph.p_memsz) {
            mine = true;
        }
        if (ph.p_type == PT_TLS) {
            tls_size = ph.p_memsz;
        }
    }
    if (!mine) {
        return 0;
    }
    if (info->dlpi_tls_data != nullptr) {
        out->low = reinterpret_cast<uintptr_t>(info->dlpi_tls_data);
        out->high = out->low + tls_size;
    }
    return 1;
}

const TlsRange& tls_range() {
    TlsRange& r = t_tls;
    if (!r.known) {
        (void)smem_raw[0];  // the block exists once this thread touched one of its variables
        dl_iterate_phdr(&find_tls, &r);
        r.known = true;
    }
    return r;
}

std::string kind(bool write) {
    return write ? "write" : "read";
}

}  // namespace

void check_shared_access(const void* p, size_t n, bool write, const char* what, size_t align) {
    CtaRunner* c = running_cta();
    if (c == nullptr) {
        return;
    }
    const auto a = reinterpret_cast<uintptr_t>(p);
    const auto base = reinterpret_cast<uintptr_t>(&smem_raw[0]);
    const size_t window = c->shared_bytes();
    if (a < base || a + n > base + window || a + n < a) {
        const std::string where = c->in_shared_array(a)
                ? "at offset " + std::to_string(a - base) + ", outside the " + std::to_string(window) +
                          " bytes of dynamic shared memory of this launch"
                : "at an address that is not shared memory";
        c->fault(cudaErrorIllegalAddress,
                 std::string(what) + ": shared " + kind(write) + " of " + std::to_string(n) + " bytes " + where);
    }
    if (align != 0 && a % align != 0) {
        c->fault(cudaErrorMisalignedAddress, std::string(what) + ": shared " + kind(write) + " of " +
                                                     std::to_string(n) + " bytes at offset " +
                                                     std::to_string(a - base) + " is not " + std::to_string(align) +
                                                     "-byte aligned");
    }
}

void check_global_access(const void* p, size_t n, bool write, const char* what, size_t align) {
    CtaRunner* c = running_cta();
    if (c == nullptr) {
        return;
    }
    const auto a = reinterpret_cast<uintptr_t>(p);
    DeviceMemory& memory = device().memory();
    const uint64_t generation = memory.generation();
    LookupCache& cache = t_cache;
    if (!(cache.generation == generation && a >= cache.base && a + n <= cache.end && a + n >= a)) {
        uintptr_t base, end;
        if (!memory.find(p, n, base, end)) {
            c->fault(cudaErrorIllegalAddress, std::string(what) + ": global " + kind(write) + " of " +
                                                      std::to_string(n) + " bytes: " + memory.describe(p, n));
        }
        cache = LookupCache{base, end, generation};
    }
    if (align != 0 && a % align != 0) {
        c->fault(cudaErrorMisalignedAddress, std::string(what) + ": global " + kind(write) + " of " +
                                                     std::to_string(n) + " bytes at " + std::to_string(a) +
                                                     " is not " + std::to_string(align) + "-byte aligned");
    }
}

void note_shared_access(const void* p, size_t n, bool write) {
    CtaRunner* c = running_cta();
    SharedRaceCheck* races = c != nullptr ? c->races() : nullptr;
    if (races == nullptr) {
        return;
    }
    const size_t offset = static_cast<size_t>(static_cast<const unsigned char*>(p) - &smem_raw[0]);
    const int tid = c->current().linear;
    c->hazard(write ? races->write(offset, n, tid) : races->read(offset, n, tid));
}

void check_plain_access(const void* p, size_t n, bool write) {
    CtaRunner* c = running_cta();
    if (c == nullptr) {
        return;  // host code of a kernel translation unit (the launchers)
    }
    const auto a = reinterpret_cast<uintptr_t>(p);
    const GpuThread& t = c->current();
    const auto low = reinterpret_cast<uintptr_t>(t.context.stack_low());
    const auto high = reinterpret_cast<uintptr_t>(t.context.stack_high());
    if (a >= low && a + n <= high) {
        return;  // the thread's registers and local memory
    }
    if (c->in_shared_array(a)) {
        check_shared_access(p, n, write, "kernel code", 0);
        note_shared_access(p, n, write);
        return;
    }
    const TlsRange& tls = tls_range();
    if (a >= tls.low && a + n <= tls.high) {
        return;  // a static __shared__ variable (not checked for hazards)
    }
    check_global_access(p, n, write, "kernel code", 0);
}

}  // namespace emu
}  // namespace attn4j
