package dev.wharf.control.state;

import java.util.ArrayList;
import java.util.List;

/**
 * The overlay feature's section of the {@link DesiredState}: the underlay (this host's tunnel
 * endpoint), which networks are overlay networks with their VNI and encapsulation, and the VTEPs and
 * remote endpoints of each. Immutable; any thread.
 *
 * @param underlay the underlay, or null when none is set.
 */
public record OverlaySection(Underlay underlay, List<OverlayNetwork> networks, List<VtepEntry> vteps)
{
    public static final OverlaySection EMPTY = new OverlaySection(null, List.of(), List.of());
    public static final SectionKey<OverlaySection> KEY = new SectionKey<>("overlay", EMPTY, new OverlaySectionCodec());

    /** @param device the interface that must hold the address, or null for any. */
    public record Underlay(int local, int port, int genevePort, String device)
    {
    }

    /**
     * @param mtu      the overlay MTU asked for, 0 to derive it from the underlay.
     * @param mssClamp TCP SYNs crossing the tunnel have their MSS lowered to fit it.
     * @param learning remote MACs are learned from arriving frames.
     * @param hostAddress this host's own address on the network, 0 for none.
     */
    public record OverlayNetwork(String network, int vni, String encapsulation, int mtu, boolean mssClamp, boolean learning, int hostAddress)
    {
        public OverlayNetwork withHostAddress(final int address)
        {
            return new OverlayNetwork(network, vni, encapsulation, mtu, mssClamp, learning, address);
        }

    }

    /** A VTEP in a network's flood list ({@code mac} 0), or a remote endpoint behind it ({@code ip} 0: no proxy ARP). */
    public record VtepEntry(String network, int vtep, long mac, int ip)
    {
        public boolean isEndpoint()
        {
            return mac != 0;
        }
    }

    public OverlaySection
    {
        networks = List.copyOf(networks);
        vteps = List.copyOf(vteps);
    }

    public static OverlaySection of(final DesiredState state)
    {
        return state.get(KEY);
    }

    public DesiredState in(final DesiredState state)
    {
        return state.with(KEY, this);
    }

    public OverlaySection withUnderlay(final Underlay next)
    {
        return new OverlaySection(next, networks, vteps);
    }

    /** The overlay network of network {@code name}, or null when it is a bridge network. */
    public OverlayNetwork network(final String name)
    {
        return networks.stream().filter(n -> n.network().equals(name)).findFirst().orElse(null);
    }

    public OverlaySection withNetwork(final OverlayNetwork network)
    {
        final List<OverlayNetwork> next = new ArrayList<>(networks);
        next.add(network);
        return new OverlaySection(underlay, next, vteps);
    }

    /** With the overlay network of the same name replaced by {@code network}, in its place. */
    public OverlaySection replacing(final OverlayNetwork network)
    {
        return new OverlaySection(underlay, networks.stream().map(n -> n.network().equals(network.network()) ? network : n).toList(), vteps);
    }

    /** Without the overlay network {@code name} and its VTEPs. */
    public OverlaySection withoutNetwork(final String name)
    {
        return new OverlaySection(underlay, networks.stream().filter(n -> !n.network().equals(name)).toList(),
            vteps.stream().filter(v -> !v.network().equals(name)).toList());
    }

    public List<VtepEntry> vtepsOf(final String network)
    {
        return vteps.stream().filter(v -> v.network().equals(network)).toList();
    }

    public OverlaySection withVtep(final VtepEntry entry)
    {
        final List<VtepEntry> next = new ArrayList<>(vteps);
        next.add(entry);
        return new OverlaySection(underlay, networks, next);
    }

    /** Without {@code vtep} of {@code network}: all its entries when {@code mac} is 0, else that endpoint's. */
    public OverlaySection withoutVtep(final String network, final int vtep, final long mac)
    {
        return new OverlaySection(underlay, networks, vteps.stream()
            .filter(v -> !(v.network().equals(network) && v.vtep() == vtep && (mac == 0 || v.mac() == mac))).toList());
    }
}
