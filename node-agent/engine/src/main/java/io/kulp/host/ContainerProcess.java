package io.kulp.host;

/**
 * One process of a container, seen from the host.
 *
 * @param hostPid the PID in the host's PID namespace, the one to ptrace
 * @param containerPid the PID inside the container's own PID namespace (last field of NSpid)
 * @param startTime when the process started, in clock ticks after boot (field 22 of
 *     {@code /proc/PID/stat}); with {@code hostPid} it names the process even after the PID is reused
 */
public record ContainerProcess(int hostPid, int containerPid, long startTime) {}
