package org.attn4j.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Whether this machine can run the NumPy peer: python3 with numpy (tests skip with the reason otherwise). */
final class PythonPeers {
    private static String reason;

    private PythonPeers() {
    }

    /** Null when python3 imports numpy; else why not. */
    static synchronized String unavailableReason() {
        if (reason == null) {
            try {
                Process p = new ProcessBuilder(List.of("python3", "-c", "import numpy; print(numpy.__version__)"))
                        .redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    reason = "python3 did not answer within 60 s";
                } else {
                    reason = p.exitValue() == 0 ? "" : "python3 cannot import numpy: " + text;
                }
            } catch (IOException e) {
                reason = "no python3: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason = "interrupted";
            }
        }
        return reason.isEmpty() ? null : reason;
    }
}
