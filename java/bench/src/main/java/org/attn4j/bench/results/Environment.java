package org.attn4j.bench.results;

import java.util.List;
import java.util.Map;

/**
 * Where and when a document was measured.
 *
 * @param date       ISO-8601 instant (UTC)
 * @param commit     {@code git rev-parse HEAD} of the working directory (suffix {@code -dirty} with local changes),
 *                   or {@code unknown}
 * @param device     the main device measured: the GPU's name when one was used, else the CPU
 * @param driver     NVIDIA driver version, or null
 * @param cuda       CUDA runtime version, or null
 * @param jvm        Java runtime (null for peer documents)
 * @param os         operating system and architecture
 * @param cpu        CPU model
 * @param cpuThreads hardware threads available
 * @param software   other versions (python, numpy, torch, ...)
 * @param providers  every attn4j provider found, with its availability (attn4j documents)
 */
public record Environment(String date, String commit, String device, String driver, String cuda, String jvm,
                          String os, String cpu, Integer cpuThreads, Map<String, String> software,
                          List<String> providers) {
}
