// What kind of device the C ABI drives: a GPU through the NVIDIA driver. The emulator build links
// emu/driver_probe_emu.cpp instead.
#include <dlfcn.h>

#include "../include/attn4j_cuda.h"

extern "C" {

int32_t attn4j_driver_library_present(void) {
    void* handle = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
        return 0;
    }
    dlclose(handle);
    return 1;
}

int32_t attn4j_device_emulated(void) {
    return 0;
}

}  // extern "C"
