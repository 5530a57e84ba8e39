package dev.wharf.dataplane.config;

/**
 * What a network may reach, as Docker's bridge driver options say it; ip4-isolation and l2 enforce it.
 * (Whether its connections are masqueraded is the NAT feature's setting, not the core's.)
 *
 * @param internal   no traffic to or from the uplink, either way (Docker's {@code --internal}).
 * @param icc        containers of the network may talk to each other (Docker's
 *                   {@code com.docker.network.bridge.enable_icc}); when false they reach only the gateway
 *                   and, through it, the outside.
 */
public record NetworkPolicy(boolean internal, boolean icc)
{
    public static final NetworkPolicy DEFAULT = new NetworkPolicy(false, true);
}
