// The emulator's memcheck: every shared- and global-memory access of an emulated kernel is checked. The emulated
// instructions (cp.async, ldmatrix, atomics) call these checks directly; plain loads and stores of kernel code are
// reported by the compiler's instrumentation of the kernel translation units (memcheck_hooks.cpp), so nothing in the
// kernel sources changes. A bad access faults the GPU thread with cudaErrorIllegalAddress (or
// cudaErrorMisalignedAddress) and a sentence naming the kernel, block, thread and address.
#pragma once

#include <cstddef>

namespace attn4j {
namespace emu {

/** [p, p + n) must lie in this CTA's dynamic shared memory, aligned to align bytes (0: any). */
void check_shared_access(const void* p, size_t n, bool write, const char* what, size_t align);

/** [p, p + n) must lie in one live device allocation, aligned to align bytes (0: any). */
void check_global_access(const void* p, size_t n, bool write, const char* what, size_t align);

/** Records a shared-memory access for the hazard check (racecheck.hpp); faults the thread on a hazard. */
void note_shared_access(const void* p, size_t n, bool write);

/** A plain access of kernel code: on the thread's stack, in shared memory, or in a device allocation. */
void check_plain_access(const void* p, size_t n, bool write);

}  // namespace emu
}  // namespace attn4j
