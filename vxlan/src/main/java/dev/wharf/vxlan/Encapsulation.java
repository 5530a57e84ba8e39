package dev.wharf.vxlan;

import dev.wharf.vxlan.protocol.GeneveHeader;
import dev.wharf.vxlan.protocol.VxlanHeader;

/** The tunnel formats an overlay network may use, with their IANA UDP ports. */
public enum Encapsulation
{
    VXLAN("vxlan", 4789, VxlanHeader.LENGTH),
    GENEVE("geneve", 6081, GeneveHeader.BASE_LENGTH);

    /** Outer IPv4 and UDP headers (the kernel writes them: the underlay is a UDP socket). */
    public static final int OUTER_IPV4_UDP_LENGTH = 20 + 8;
    private static final int INNER_ETHERNET_LENGTH = 14;

    private final String label;
    private final int defaultPort;
    private final int headerLength;

    Encapsulation(final String label, final int defaultPort, final int headerLength)
    {
        this.label = label;
        this.defaultPort = defaultPort;
        this.headerLength = headerLength;
    }

    /** The name users write ({@code --encap vxlan}). */
    public String label()
    {
        return label;
    }

    public int defaultPort()
    {
        return defaultPort;
    }

    /** Bytes of this encapsulation's own header as we send it (Geneve without options). */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * What an inner IP packet loses against the underlay's MTU: outer IPv4, UDP, this header and the inner
     * Ethernet header (50 for VXLAN, as the kernel's vxlan device and Docker's overlay count it).
     */
    public int overhead()
    {
        return OUTER_IPV4_UDP_LENGTH + headerLength + INNER_ETHERNET_LENGTH;
    }

    /** The encapsulation named {@code label}, or null. */
    public static Encapsulation byLabel(final String label)
    {
        for (final Encapsulation encapsulation : values())
        {
            if (encapsulation.label.equals(label))
            {
                return encapsulation;
            }
        }
        return null;
    }

    /** Writes this encapsulation's header for {@code vni} at {@code address}. */
    public void writeHeader(final long address, final int vni)
    {
        if (this == VXLAN)
        {
            VxlanHeader.write(address, vni);
        }
        else
        {
            GeneveHeader.write(address, vni);
        }
    }
}
