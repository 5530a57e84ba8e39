package dev.wharf.control.server;

/**
 * Where each record lives in the cluster store, under one prefix ({@code --cluster-prefix}, default
 * {@value #DEFAULT_PREFIX}); the layout is written down in {@code cluster.proto}. Immutable; any thread.
 */
public record ClusterKeys(String prefix)
{
    public static final String DEFAULT_PREFIX = "/wharf/";

    static final String HOSTS = "hosts/";
    static final String NETWORKS = "networks/";
    static final String VNIS = "vnis/";
    static final String ENDPOINTS = "endpoints/";
    static final String IPAM = "ipam/";
    static final String SERVICES = "services/";
    /** The port part of a host's own address claim: no port is named so (names start with a letter or digit). */
    static final String HOST_ADDRESS_PORT = "@host";
    /** The holder of a virtual service's VIP in the cluster's IPAM. */
    static final String VIP_HOLDER = "@service";

    public ClusterKeys
    {
        if (prefix.isEmpty() || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.contains("//") || !prefix.matches("[A-Za-z0-9_./-]+"))
        {
            throw new IllegalArgumentException("--cluster-prefix must start and end with / and hold only letters, digits, _ . - and / " +
                "(one / between its parts), not \"" + prefix + "\"");
        }
    }

    String host(final String host)
    {
        return prefix + HOSTS + host;
    }

    String network(final String name)
    {
        return prefix + NETWORKS + name;
    }

    String networks()
    {
        return prefix + NETWORKS;
    }

    String vni(final String encapsulation, final int vni)
    {
        return vnis(encapsulation) + vni;
    }

    String vnis(final String encapsulation)
    {
        return prefix + VNIS + encapsulation + "/";
    }

    String endpoint(final String network, final String host, final String port)
    {
        return endpoints(network) + host + "/" + port;
    }

    String endpoints(final String network)
    {
        return prefix + ENDPOINTS + network + "/";
    }

    String ipam(final String network, final String address)
    {
        return ipams(network) + address;
    }

    String ipams(final String network)
    {
        return prefix + IPAM + network + "/";
    }

    String service(final String address)
    {
        return services() + address;
    }

    String services()
    {
        return prefix + SERVICES;
    }

    /** The part of {@code key} after the prefix and {@code kind} ({@link #HOSTS}...), or null when it is not of that kind. */
    String rest(final String key, final String kind)
    {
        final String start = prefix + kind;
        return key.startsWith(start) ? key.substring(start.length()) : null;
    }

    /** What an {@link #ipam} key holds: the port that has the address. */
    static String holder(final String host, final String port)
    {
        return host + "/" + port;
    }

    /** An {@link #ipam} key's value in words: a port of a host, a host's own address, or a service's VIP. */
    static String describeHolder(final String holder)
    {
        if (holder.equals(VIP_HOLDER))
        {
            return "a virtual service (its VIP)";
        }
        final int slash = holder.indexOf('/');
        if (slash < 0)
        {
            return "\"" + holder + "\"";
        }
        final String port = holder.substring(slash + 1);
        return port.equals(HOST_ADDRESS_PORT) ? "host " + holder.substring(0, slash) + " (its own address)" :
            "port " + port + " on host " + holder.substring(0, slash);
    }
}
