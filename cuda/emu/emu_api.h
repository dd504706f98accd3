/* What the emulated device offers beyond the CUDA runtime: introspection for tests. Emulator builds only. */
#ifndef ATTN4J_EMU_API_H
#define ATTN4J_EMU_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How many times the device was synchronised as a whole (cudaDeviceSynchronize, cudaFree) since the process began. */
int64_t attn4j_emu_device_synchronizations(void);

#ifdef __cplusplus
}
#endif

#endif
