package org.attn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.Random;
import org.attn4j.Attention;
import org.attn4j.AttentionRequest;
import org.attn4j.AttentionResult;
import org.attn4j.DType;
import org.attn4j.ProviderInfo;
import org.attn4j.ProviderRegistry;
import org.attn4j.Tensor;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.cuda.bridge.NativeLibrary;
import org.attn4j.reference.ReferenceProvider;
import org.attn4j.spi.Availability;
import org.junit.jupiter.api.Test;

/** Availability reasons on this machine and automatic selection around an unavailable cuda provider. */
class CudaAvailabilityTest {

    private static boolean libcudaOnThisMachine() {
        String[] dirs = {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64",
                         "/usr/local/nvidia/lib", "/usr/lib/wsl/lib"};
        for (String d : dirs) {
            if (new File(d, "libcuda.so.1").exists()) {
                return true;
            }
        }
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String d : ld.split(":")) {
                if (!d.isEmpty() && new File(d, "libcuda.so.1").exists()) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void reportsTheExactReasonItCannotRunHere() {
        Availability a = new CudaProvider().availability();
        assertFalse(a.reason().isBlank());
        boolean shipped = CudaBridge.class.getResource(NativeLibrary.resource()) != null;
        if (!shipped) {
            assertFalse(a.isAvailable());
            assertTrue(a.reason().startsWith(NativeLibrary.emulatorRequested() ? "the GPU emulator was requested"
                    : "no native library for this platform"), a.reason());
            assertFalse(CudaRuntime.isLibraryLoaded());
        } else if (NativeLibrary.emulatorRequested()) {
            // The emulated device needs no driver and is always there.
            assertTrue(a.isAvailable(), a.reason());
            assertTrue(CudaRuntime.isEmulated());
            assertTrue(a.reason().startsWith("EMULATED device, not a GPU"), a.reason());
            assertEquals(1, CudaRuntime.devices().size());
            assertEquals(9, CudaRuntime.devices().get(0).major());
        } else if (!libcudaOnThisMachine()) {
            assertTrue(CudaRuntime.isLibraryLoaded(), "the library links cudart statically and loads without a driver");
            assertFalse(a.isAvailable());
            assertTrue(a.reason().startsWith(CudaRuntime.deviceNodePresent()
                    ? "no CUDA driver: libcuda.so.1 was not found"
                    : "no CUDA driver: this machine has no NVIDIA device node (/dev/nvidiactl, /dev/dxg)"), a.reason());
            assertEquals(0, CudaRuntime.driverVersion());
            assertTrue(CudaRuntime.runtimeVersion() >= 12000, "runtime CUDA " + CudaRuntime.runtimeVersion());
        } else if (!a.isAvailable()) {
            assertTrue(a.reason().startsWith("CUDA driver too old") || a.reason().startsWith("no CUDA device")
                    || a.reason().startsWith("no CUDA device of compute capability")
                    || a.reason().startsWith("CUDA initialization failed"), a.reason());
        } else {
            assertFalse(CudaRuntime.devices().isEmpty());
        }
    }

    @Test
    void availabilityIsStableAndNeverThrows() {
        CudaProvider p = new CudaProvider();
        Availability a = p.availability();
        Availability b = p.availability();
        assertEquals(a.isAvailable(), b.isAvailable());
        assertEquals(a.reason(), b.reason());
        assertEquals("cuda", p.name());
        assertEquals(1000, p.priority());
    }

    @Test
    void selectionFallsBackWhenCudaCannotRun() {
        ProviderRegistry reg = ProviderRegistry.of(new CudaProvider(), new ReferenceProvider());
        Random rnd = new Random(3);
        try (Tensor q = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 8, 64);
             Tensor k = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 8, 64);
             Tensor v = TestTensors.random(rnd, DType.FP16, 1, 1, 2, 8, 64)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).causal().build();
            boolean cuda = CudaRuntime.isAvailable();
            assertEquals(cuda ? "cuda" : "reference", reg.select(r).name());
            ProviderInfo info = reg.diagnostics().stream().filter(i -> i.name().equals("cuda")).findFirst()
                    .orElseThrow();
            assertEquals(cuda, info.available());
            assertEquals(CudaRuntime.availability().reason(), info.reason());
            if (!cuda) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> reg.select(r, "cuda"));
                assertTrue(e.getMessage().contains(CudaRuntime.availability().reason()), e.getMessage());
                // Called directly anyway, the provider refuses with the same reason instead of crashing.
                IllegalStateException d = assertThrows(IllegalStateException.class,
                        () -> new CudaProvider().forward(r));
                assertTrue(d.getMessage().contains(CudaRuntime.availability().reason()), d.getMessage());
            }
        }
    }

    @Test
    void fp32GoesToTheCpuEvenWithAGpu() {
        ProviderRegistry reg = ProviderRegistry.of(new CudaProvider(), new ReferenceProvider());
        Random rnd = new Random(4);
        try (Tensor q = TestTensors.random(rnd, DType.FP32, 1, 1, 1, 4, 64);
             Tensor k = TestTensors.random(rnd, DType.FP32, 1, 1, 1, 4, 64);
             Tensor v = TestTensors.random(rnd, DType.FP32, 1, 1, 1, 4, 64)) {
            AttentionRequest r = AttentionRequest.builder(q, k, v).build();
            assertEquals("reference", reg.select(r).name());
            assertEquals("dtype fp32 not supported (supports fp16, bf16)", new CudaProvider().supports(r).reason());
        }
    }

    @Test
    void serviceLoaderFindsTheProviderAndTheDefaultCallRuns() {
        assertTrue(Attention.registry().find("cuda").isPresent(), "META-INF/services lists CudaProvider");
        Random rnd = new Random(5);
        try (Tensor q = TestTensors.random(rnd, DType.BF16, 1, 1, 2, 5, 64);
             Tensor k = TestTensors.random(rnd, DType.BF16, 1, 1, 2, 7, 64);
             Tensor v = TestTensors.random(rnd, DType.BF16, 1, 1, 2, 7, 64);
             AttentionResult res = Attention.forward(AttentionRequest.builder(q, k, v).build())) {
            assertEquals(CudaRuntime.isAvailable() ? "cuda" : "reference", res.provider());
        }
    }
}
