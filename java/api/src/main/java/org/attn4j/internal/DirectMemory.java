package org.attn4j.internal;

/**
 * Where host tensors' direct memory comes from and how it is given back at once on close, rather than whenever the
 * garbage collector runs. JDK 22 and newer use the foreign memory API (a shared arena per block of 16 KiB or more,
 * closed to free it; smaller blocks are left to the GC); older JDKs use {@code sun.misc.Unsafe.invokeCleaner}, which
 * JDK 24 and newer deprecate with a warning on first use.
 */
public interface DirectMemory {

    /** A zero-filled direct buffer of {@code byteSize} bytes in native byte order. */
    DirectBlock allocate(int byteSize);

    /** How blocks are freed, for diagnostics and tests: {@code "arena"} or {@code "unsafe-cleaner"}. */
    String mechanism();

    /** The mechanism for the running JDK. */
    static DirectMemory forThisJdk() {
        return ArenaDirectMemory.find().<DirectMemory>map(m -> m).orElseGet(UnsafeCleanerDirectMemory::new);
    }
}
