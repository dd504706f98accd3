package org.attn4j.conformance;

import java.util.Objects;

/**
 * One named conformance case. {@link #run()} never throws: whatever the provider does (wrong numbers, an exception,
 * an error of any kind short of the JVM running out of memory) becomes a {@link CaseResult}.
 */
public final class ConformanceCase {
    private final String name;
    private final CaseCategory category;
    private final CaseBody body;

    ConformanceCase(CaseCategory category, String name, CaseBody body) {
        this.category = Objects.requireNonNull(category, "category");
        this.name = Objects.requireNonNull(name, "name");
        this.body = Objects.requireNonNull(body, "body");
    }

    /** Says what configuration the case runs, e.g. {@code fp32 B=2 Hq=4 Hkv=2 Nq=100 Nk=100 D=16 Dv=16 ...}. */
    public String name() {
        return name;
    }

    public CaseCategory category() {
        return category;
    }

    ConformanceCase renamed(String newName) {
        return new ConformanceCase(category, newName, body);
    }

    /** Runs the case. */
    public CaseResult run() {
        long start = System.nanoTime();
        Findings findings = new Findings();
        try {
            body.run(findings);
        } catch (CaseSkipped s) {
            return new CaseResult(name, category, CaseStatus.SKIPPED, s.getMessage(), Double.NaN, Double.NaN,
                    System.nanoTime() - start);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            findings.fail("threw " + describe(t));
        }
        long nanos = System.nanoTime() - start;
        if (findings.ok()) {
            return new CaseResult(name, category, CaseStatus.PASSED, findings.measuredSummary(),
                    findings.worstError(), findings.toleranceOfWorst(), nanos);
        }
        return new CaseResult(name, category, CaseStatus.FAILED, findings.problemSummary(), findings.worstError(),
                findings.toleranceOfWorst(), nanos);
    }

    /** An exception with where it came from, so that a failure report points at the provider's code. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] trace = t.getStackTrace();
        for (int i = 0; i < Math.min(3, trace.length); i++) {
            sb.append(i == 0 ? " at " : " < ").append(trace[i]);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "[" + category + "] " + name;
    }
}
