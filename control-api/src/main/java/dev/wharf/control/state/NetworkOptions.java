package dev.wharf.control.state;

/**
 * The options a user creates a network with, as Docker's bridge driver names them: the core's
 * isolation policy ({@code internal}, {@code icc}) and the NAT feature's {@code masquerade}.
 *
 * @param internal   no traffic to or from the uplink, either way.
 * @param icc        containers of the network may talk to each other.
 * @param masquerade connections leaving through the uplink take the uplink's address.
 */
public record NetworkOptions(boolean internal, boolean icc, boolean masquerade)
{
    public static final NetworkOptions DEFAULT = new NetworkOptions(false, true, true);
}
