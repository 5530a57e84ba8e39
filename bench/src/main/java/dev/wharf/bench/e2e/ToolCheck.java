package dev.wharf.bench.e2e;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Checks that the tools every scenario needs are installed, and names the Debian packages that
 * bring the missing ones. The harness installs nothing itself. Open vSwitch is checked by its
 * scenario instead ({@link PrivateOvs#unavailableReason()}), so without it the others still run.
 */
final class ToolCheck
{
    /** Tool on PATH -> the Debian package that provides it. */
    private static final Map<String, String> REQUIRED = new LinkedHashMap<>();

    static
    {
        REQUIRED.put("ip", "iproute2");
        REQUIRED.put("ss", "iproute2");
        REQUIRED.put("ping", "iputils-ping");
        REQUIRED.put("iperf3", "iperf3");
        REQUIRED.put("trafgen", "netsniff-ng");
        REQUIRED.put("ethtool", "ethtool");
    }

    private ToolCheck()
    {
    }

    /** The packages to install for the missing tools, empty when all are there. */
    static Set<String> missingPackages()
    {
        final Set<String> packages = new LinkedHashSet<>();
        for (final Map.Entry<String, String> tool : REQUIRED.entrySet())
        {
            if (Shell.which(tool.getKey()) == null)
            {
                packages.add(tool.getValue());
            }
        }
        return packages;
    }

    static String installHint(final String... packages)
    {
        return "install with: DEBIAN_FRONTEND=noninteractive apt-get install -y " + String.join(" ", packages);
    }
}
