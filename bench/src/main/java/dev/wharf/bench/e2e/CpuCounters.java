package dev.wharf.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time from procfs, in milliseconds: a switch process's user+system time
 * ({@code /proc/PID/stat} utime+stime, all its threads) and the host's softirq time
 * ({@code /proc/stat}, all CPUs), where the kernel does the Linux bridge's forwarding and the
 * receive side of every veth. Both are sampled by the scheduler tick ({@code CLK_TCK}, usually
 * 100 Hz), fine over runs of seconds.
 */
final class CpuCounters
{
    private static final long TICKS_PER_SECOND = clockTicks();

    private CpuCounters()
    {
    }

    /** User+system CPU time of the processes, summed; a process that has exited counts nothing. */
    static double processMs(final List<ProcessHandle> processes)
    {
        long ticks = 0;
        for (final ProcessHandle process : processes)
        {
            final String stat = read(Path.of("/proc", Long.toString(process.pid()), "stat"));
            if (stat == null)
            {
                continue;
            }
            // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }

    /** Softirq time of all CPUs since boot. */
    static double softirqMs()
    {
        final String stat = read(Path.of("/proc/stat"));
        if (stat == null)
        {
            return Double.NaN;
        }
        // "cpu  user nice system idle iowait irq softirq steal ..."
        final String[] fields = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
        return Long.parseLong(fields[7]) * 1000.0 / TICKS_PER_SECOND;
    }

    private static String read(final Path path)
    {
        try
        {
            return Files.readString(path);
        }
        catch (final IOException e)
        {
            return null;
        }
    }

    private static long clockTicks()
    {
        final Shell.Result r = Shell.run(5, "getconf", "CLK_TCK");
        try
        {
            return r.ok() ? Long.parseLong(r.stdout().strip()) : 100;
        }
        catch (final NumberFormatException e)
        {
            return 100;
        }
    }
}
