package org.attn4j.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Output files written all or none: each is first written to a temporary file beside its target (same folder, so
 * the final move is a rename), and only when every one is complete are they moved into place. If a move fails, the
 * files already moved are taken back and any file they replaced is restored; temporary files never stay behind.
 */
final class AtomicOutputs implements AutoCloseable {
    /** Writes one output's bytes to {@code file}. */
    @FunctionalInterface
    interface Writer {
        void write(Path file) throws IOException;
    }

    private static final class Staged {
        final String flag;
        final Path target;
        final Path temp;
        Path backup;
        boolean moved;

        Staged(String flag, Path target, Path temp) {
            this.flag = flag;
            this.target = target;
            this.temp = temp;
        }
    }

    private final List<Staged> staged = new ArrayList<>();
    private boolean committed;

    /**
     * Writes the output of option {@code flag} to a temporary file beside {@code target}.
     *
     * @throws CliException naming the option and file when the temporary file cannot be written
     */
    void stage(String flag, Path target, Writer writer) {
        Path absolute = target.toAbsolutePath();
        Path temp;
        try {
            temp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
        } catch (IOException | SecurityException e) {
            throw new CliException(flag + " " + target + ": cannot write in folder " + absolute.getParent() + ": "
                    + reason(e), e);
        }
        Staged s = new Staged(flag, absolute, temp);
        staged.add(s);
        try {
            writer.write(temp);
        } catch (IOException e) {
            throw new CliException(flag + " " + target + ": cannot write: " + reason(e), e);
        }
    }

    /**
     * Moves every staged file into place, or none.
     *
     * @throws CliException naming the option whose file could not be moved; the targets are then as they were
     */
    void commit() {
        for (Staged s : staged) {
            try {
                if (Files.exists(s.target) && !Files.isDirectory(s.target)) {
                    s.backup = Files.createTempFile(s.target.getParent(), "." + s.target.getFileName(), ".old");
                    move(s.target, s.backup);
                }
                move(s.temp, s.target);
                s.moved = true;
            } catch (IOException | SecurityException e) {
                rollBack();
                throw new CliException(s.flag + " " + s.target + ": cannot write: " + reason(e)
                        + "; no output was written", e);
            }
        }
        committed = true;
    }

    /** Removes temporary files (and, after a commit, the copies of replaced files). */
    @Override
    public void close() {
        for (Staged s : staged) {
            deleteQuietly(s.temp);
            if (committed) {
                deleteQuietly(s.backup);
            }
        }
    }

    /** Undoes the moves made so far: the new files go, the files they replaced come back. */
    private void rollBack() {
        for (Staged s : staged) {
            try {
                if (s.moved) {
                    Files.deleteIfExists(s.target);
                    s.moved = false;
                }
                if (s.backup != null && Files.exists(s.backup)) {
                    move(s.backup, s.target);
                    s.backup = null;
                }
            } catch (IOException | SecurityException e) {
                // Best effort: the error being reported matters more; a leftover .old file says what it is.
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException | SecurityException e) {
            // Nothing more to do about a temporary file that will not go.
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such folder";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException
                || e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a folder of that name is in the way";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
