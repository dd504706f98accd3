package org.attn4j.cuda;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.attn4j.cuda.bridge.CudaBridge;
import org.attn4j.cuda.bridge.NativeLibrary;
import org.attn4j.spi.Availability;

/**
 * Finds out, once and lazily, whether attn4j's CUDA engine can run here, and why not: no native library for this
 * platform, the library failing to load, no driver, a driver too old, no device, or no device of compute capability
 * 8.0 or newer. Nothing here throws; the first call that needs the GPU calls {@link #requireAvailable()}.
 */
public final class CudaRuntime {
    /** Oldest supported compute capability (major): the kernels use sm_80 instructions. */
    static final int MIN_MAJOR = 8;
    /** {@code -Dattn4j.cuda.disable=true} makes the provider unavailable (to force the CPU path). */
    public static final String DISABLE_PROPERTY = "attn4j.cuda.disable";
    /**
     * {@code -Dattn4j.cuda.loadWithoutDevice=true} loads the native library even on a machine without an NVIDIA
     * device node, where the probe otherwise skips it: to check a deployment's packaging (class path, module path,
     * native-access flags) on a CPU-only machine.
     */
    public static final String LOAD_WITHOUT_DEVICE_PROPERTY = "attn4j.cuda.loadWithoutDevice";

    private static volatile Probe probe;
    private static volatile String broken;

    private CudaRuntime() {
    }

    /** What the probe found. */
    static final class Probe {
        final Availability availability;
        final boolean libraryLoaded;
        final List<CudaDevice> devices;
        final int driverVersion;
        final int runtimeVersion;
        final boolean emulated;
        /** No driver could be there, so the library was not loaded: it loads when asked about ({@link Library}). */
        final boolean libraryDeferred;

        Probe(Availability availability, boolean libraryLoaded, List<CudaDevice> devices, int driverVersion,
              int runtimeVersion, boolean emulated) {
            this(availability, libraryLoaded, devices, driverVersion, runtimeVersion, emulated, false);
        }

        private Probe(Availability availability, boolean libraryLoaded, List<CudaDevice> devices, int driverVersion,
                      int runtimeVersion, boolean emulated, boolean libraryDeferred) {
            this.libraryDeferred = libraryDeferred;
            this.availability = availability;
            this.libraryLoaded = libraryLoaded;
            this.devices = Collections.unmodifiableList(devices);
            this.driverVersion = driverVersion;
            this.runtimeVersion = runtimeVersion;
            this.emulated = emulated;
        }

        static Probe unavailable(String reason, boolean loaded, int driver, int runtime) {
            return new Probe(Availability.unavailable(reason), loaded, List.of(), driver, runtime, false);
        }

        static Probe noDeviceNode() {
            return new Probe(Availability.unavailable("no CUDA driver: this machine has no NVIDIA device node ("
                    + String.join(", ", DEVICE_NODES) + ")"), false, List.of(), 0, 0, false, true);
        }
    }

    /**
     * What the CUDA driver opens: {@code /dev/nvidiactl} on Linux (a container with a GPU gets it mounted), {@code
     * /dev/dxg} under WSL 2. Without any of them no driver can reach a GPU, so the probe need not load the library
     * (40 MB with cudart inside, about 0.1 s of every CPU-only process).
     */
    static final List<String> DEVICE_NODES = List.of("/dev/nvidiactl", "/dev/dxg");

    /**
     * The native library, loaded once when first needed (the holder class initialises then, thread-safely): whether
     * it loaded and why not, its ABI version, and the CUDA runtime linked into it. The probe reads it, and so does
     * {@link #isLibraryLoaded} when the probe found no device node and never needed it.
     */
    private static final class Library {
        static final Library LOADED = load();

        /** Why it did not load, or null. */
        final String failure;
        final int abi;
        /** 0 when it did not load or speaks another ABI (its functions are not called then). */
        final int runtimeVersion;

        private Library(String failure, int abi, int runtimeVersion) {
            this.failure = failure;
            this.abi = abi;
            this.runtimeVersion = runtimeVersion;
        }

        boolean loaded() {
            return failure == null;
        }

        private static Library load() {
            try {
                Class.forName(CudaBridge.class.getName(), true, CudaBridge.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
                return new Library("the native library failed to load: " + cause, 0, 0);
            }
            int abi = CudaBridge.attn4j_abi_version();
            if (abi != NativeAbi.ABI_VERSION) {
                return new Library(null, abi, 0);
            }
            int[] v = new int[1];
            CudaBridge.attn4j_runtime_version(v);
            return new Library(null, abi, v[0]);
        }
    }

    /** Whether the provider can run here, with the exact reason when not. Never throws. */
    public static Availability availability() {
        try {
            Probe p = probe();
            String b = broken;
            if (b != null) {
                return Availability.unavailable("the CUDA context is unusable after " + b + "; restart the JVM");
            }
            return p.availability;
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("the CUDA probe failed: " + e);
        }
    }

    public static boolean isAvailable() {
        return availability().isAvailable();
    }

    /** Whether the native library is loaded (it loads without a driver or GPU). */
    public static boolean isLibraryLoaded() {
        try {
            Probe p = probe();
            return p.libraryDeferred ? Library.LOADED.loaded() : p.libraryLoaded;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Every device found (supported or not); empty when the runtime is unavailable. */
    public static List<CudaDevice> devices() {
        return probe().devices;
    }

    /**
     * Whether the device is attn4j's GPU emulator (ATTN4J_CUDA_EMULATOR=1 or -Dattn4j.cuda.emulator=true): the same
     * kernels and C ABI run on the CPU, for testing. Results are checked like a GPU's; speed means nothing.
     */
    public static boolean isEmulated() {
        try {
            return probe().emulated;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** The driver's CUDA version as 1000 * major + 10 * minor (0 without a driver or library). */
    public static int driverVersion() {
        return probe().driverVersion;
    }

    /** The CUDA runtime version linked into the library (0 when it did not load). */
    public static int runtimeVersion() {
        Probe p = probe();
        return p.libraryDeferred ? Library.LOADED.runtimeVersion : p.runtimeVersion;
    }

    static boolean deviceNodePresent() {
        for (String node : DEVICE_NODES) {
            if (Files.exists(Path.of(node))) {
                return true;
            }
        }
        return false;
    }

    /** @throws IllegalStateException with the reason, when the runtime cannot run kernels */
    static void requireAvailable() {
        Availability a = availability();
        if (!a.isAvailable()) {
            throw new IllegalStateException("provider 'cuda' is unavailable: " + a.reason());
        }
    }

    /**
     * The usable device of this index.
     *
     * @throws IllegalArgumentException when there is no such device or it is too old
     */
    static CudaDevice device(int index) {
        requireAvailable();
        List<CudaDevice> all = probe().devices;
        if (index < 0 || index >= all.size()) {
            throw new IllegalArgumentException("device: expected cuda:0.." + (all.size() - 1) + ", got cuda:" + index);
        }
        CudaDevice d = all.get(index);
        if (!d.isSupported()) {
            throw new IllegalArgumentException("device: " + d + " is below compute capability " + MIN_MAJOR + ".0");
        }
        return d;
    }

    /** Records a non-recoverable CUDA error: from now on the provider is unavailable with this reason. */
    static void markBroken(String reason) {
        Probe p = probe;
        if (broken == null && p != null && p.availability.isAvailable()) {
            broken = reason;
        }
    }

    private static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaRuntime.class) {
                p = probe;
                if (p == null) {
                    p = detect();
                    probe = p;
                }
            }
        }
        return p;
    }

    /** linux-x86_64, or what this machine is, in JavaCPP's naming. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macosx" : os.startsWith("windows")
                ? "windows" : os.replace(' ', '_');
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                : arch.equals("aarch64") ? "arm64" : arch;
        return o + "-" + a;
    }

    static String cudaVersion(int v) {
        return (v / 1000) + "." + (v % 1000 / 10);
    }

    /**
     * Whether the JNI library lies next to {@code bridge}, where JavaCPP's loader looks for it. On the module path the
     * classifier jar is a module of its own, and {@code Class.getResource} searches only the class's own module; its
     * class loader also sees the other modules' folders that are not packages ({@code linux-x86_64} is not one).
     */
    static boolean libraryPresent(Class<?> bridge) {
        return NativeLibrary.find(bridge, NativeLibrary.resource()) != null;
    }

    private static Probe detect() {
        if (Boolean.getBoolean(DISABLE_PROPERTY)) {
            return Probe.unavailable("disabled by -D" + DISABLE_PROPERTY + "=true", false, 0, 0);
        }
        String platform = platform();
        if (!platform.equals("linux-x86_64")) {
            return Probe.unavailable("no native library for this platform (" + platform
                    + "): attn4j-native is built for linux-x86_64 only", false, 0, 0);
        }
        boolean emulatorRequested = NativeLibrary.emulatorRequested();
        if (!libraryPresent(CudaBridge.class)) {
            return Probe.unavailable(emulatorRequested
                    ? "the GPU emulator was requested (" + NativeLibrary.EMULATOR_ENVIRONMENT + " / -D"
                            + NativeLibrary.EMULATOR_PROPERTY + ") but its library is not on the class path or module "
                            + "path: the attn4j-native jar with classifier linux-x86_64 carries it where it was built "
                            + "with the CUDA toolkit installed"
                    : "no native library for this platform (linux-x86_64): the attn4j-native jar with classifier "
                            + "linux-x86_64 is not on the class path or module path (it is built only where nvcc is "
                            + "installed)",
                    false, 0, 0);
        }
        if (!emulatorRequested && !deviceNodePresent() && !Boolean.getBoolean(LOAD_WITHOUT_DEVICE_PROPERTY)) {
            return Probe.noDeviceNode();
        }
        Library library = Library.LOADED;
        if (!library.loaded()) {
            return Probe.unavailable(library.failure, false, 0, 0);
        }
        if (library.abi != NativeAbi.ABI_VERSION) {
            return Probe.unavailable("the native library speaks ABI version " + library.abi + ", this attn4j-cuda "
                    + "expects " + NativeAbi.ABI_VERSION + " (mismatched attn4j-native jar)", true, 0, 0);
        }
        boolean emulated = CudaBridge.attn4j_device_emulated() == 1;
        int runtime = library.runtimeVersion;
        int[] v = new int[1];
        CudaBridge.attn4j_driver_version(v);
        int driver = v[0];
        if (CudaBridge.attn4j_driver_library_present() == 0 || driver == 0) {
            return Probe.unavailable("no CUDA driver: libcuda.so.1 was not found (install an NVIDIA driver for CUDA "
                    + cudaVersion(runtime) + " or newer)", true, driver, runtime);
        }
        int[] count = new int[1];
        int rc = CudaBridge.attn4j_device_count(count);
        if (rc == CudaErrors.INSUFFICIENT_DRIVER) {
            return Probe.unavailable("CUDA driver too old: it supports CUDA " + cudaVersion(driver)
                    + ", attn4j's kernels were built with CUDA " + cudaVersion(runtime)
                    + " (update the NVIDIA driver)", true, driver, runtime);
        }
        if (rc == CudaErrors.NO_DEVICE || (rc == NativeAbi.OK && count[0] == 0)) {
            return Probe.unavailable("no CUDA device found (driver CUDA " + cudaVersion(driver) + ")", true, driver,
                    runtime);
        }
        if (rc != NativeAbi.OK) {
            return Probe.unavailable("CUDA initialization failed: " + CudaBridge.attn4j_error_name(rc) + " ("
                    + CudaBridge.attn4j_last_error_message() + ")", true, driver, runtime);
        }
        List<CudaDevice> devices = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            int[] major = new int[1];
            int[] minor = new int[1];
            int[] sms = new int[1];
            long[] mem = new long[1];
            long[] smem = new long[1];
            byte[] name = new byte[256];
            rc = CudaBridge.attn4j_device_properties(i, major, minor, sms, mem, smem, name, name.length);
            if (rc != NativeAbi.OK) {
                return Probe.unavailable("cudaGetDeviceProperties(" + i + ") failed: "
                        + CudaBridge.attn4j_error_name(rc), true, driver, runtime);
            }
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            devices.add(new CudaDevice(i, new String(name, 0, len, StandardCharsets.UTF_8), major[0], minor[0],
                    sms[0], mem[0], smem[0]));
        }
        String list = devices.stream().map(CudaDevice::toString).collect(Collectors.joining("; "));
        if (devices.stream().noneMatch(CudaDevice::isSupported)) {
            return new Probe(Availability.unavailable("no CUDA device of compute capability " + MIN_MAJOR
                    + ".0 or newer: " + list), true, devices, driver, runtime, emulated);
        }
        if (emulated) {
            return new Probe(Availability.available("EMULATED device, not a GPU: " + list + "; attn4j's kernels run "
                    + "unchanged on the CPU for testing (correct results, no speed); unset "
                    + NativeLibrary.EMULATOR_ENVIRONMENT + " to use a real GPU"), true, devices, driver, runtime, true);
        }
        return new Probe(Availability.available(list + "; driver CUDA " + cudaVersion(driver) + ", runtime CUDA "
                + cudaVersion(runtime)), true, devices, driver, runtime, false);
    }
}
