package dev.wharf.io;

import java.nio.ByteOrder;

/**
 * The PACKET_MMAP ring layout of an AF_PACKET port ({@link PortOptions#ringVersion()}), and where
 * each layout keeps the header fields the rings read. Both rings of a socket share the version.
 *
 * <ul>
 * <li>{@link #V2}: fixed-size frames, each handed over by its own status word, and poll(2) woken for
 *     each. The latency choice, and the default: a ping crosses a port in microseconds.</li>
 * <li>{@link #V3}: blocks of packed frames, handed over when a block fills or its retire timer fires.
 *     The timer counts whole jiffies, so under light load every frame waits 1-4 ms; under heavy load
 *     blocks fill at once and wakeups are fewer and memory denser.</li>
 * </ul>
 *
 * <p>The offsets are package-private data for the rings (setup path copies them into final fields).
 */
public enum TpacketVersion
{
    V2(1, Tpacket2HeaderFlyweight.LENGTH, Tpacket2HeaderFlyweight.STATUS_OFFSET, Tpacket2HeaderFlyweight.LEN_OFFSET,
        Tpacket2HeaderFlyweight.SNAPLEN_OFFSET, Tpacket2HeaderFlyweight.MAC_OFFSET, Tpacket2HeaderFlyweight.VLAN_TCI_OFFSET,
        Tpacket2HeaderFlyweight.VLAN_TPID_OFFSET, TpacketReq3Flyweight.REQ_LENGTH),
    V3(2, Tpacket3HeaderFlyweight.LENGTH, Tpacket3HeaderFlyweight.STATUS_OFFSET, Tpacket3HeaderFlyweight.LEN_OFFSET,
        Tpacket3HeaderFlyweight.SNAPLEN_OFFSET, Tpacket3HeaderFlyweight.MAC_OFFSET,
        // the u32 tci's low half: both ends read the same 16 bits as a u16
        Tpacket3HeaderFlyweight.VLAN_TCI_OFFSET + (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? 2 : 0),
        Tpacket3HeaderFlyweight.VLAN_TPID_OFFSET, TpacketReq3Flyweight.LENGTH);

    /** The PACKET_VERSION value (enum tpacket_versions). */
    final int id;
    /** TPACKET_ALIGN(sizeof the header): where the kernel writes a received frame's sockaddr_ll. */
    final int sockaddrOffset;
    /** tp_hdrlen (TPACKETn_HDRLEN): the header and the sockaddr_ll; the PACKET_RESERVE bytes follow. */
    final int hdrlen;
    /** tp_hdrlen - sizeof(sockaddr_ll): where tpacket_snd reads a transmit frame (no PACKET_TX_HAS_OFF). */
    final int txDataOffset;
    final int statusOffset;
    final int lengthOffset;
    final int snapLengthOffset;
    final int macOffset;
    /** A u16 read here is the tag's TCI. */
    final int vlanTciOffset;
    final int vlanTpidOffset;
    /** Bytes of the PACKET_RX_RING/PACKET_TX_RING request the kernel reads: tpacket_req or tpacket_req3. */
    final int requestLength;

    TpacketVersion(
        final int id, final int headerLength, final int statusOffset, final int lengthOffset, final int snapLengthOffset,
        final int macOffset, final int vlanTciOffset, final int vlanTpidOffset, final int requestLength)
    {
        this.id = id;
        this.sockaddrOffset = headerLength;
        this.hdrlen = headerLength + SockaddrLlFlyweight.LENGTH;
        this.txDataOffset = hdrlen - SockaddrLlFlyweight.LENGTH;
        this.statusOffset = statusOffset;
        this.lengthOffset = lengthOffset;
        this.snapLengthOffset = snapLengthOffset;
        this.macOffset = macOffset;
        this.vlanTciOffset = vlanTciOffset;
        this.vlanTpidOffset = vlanTpidOffset;
        this.requestLength = requestLength;
    }

    /** "v2" or "v3", any case, as in {@link PortOptions#RING_VERSION_PROP_NAME}. */
    public static TpacketVersion parse(final String text)
    {
        for (final TpacketVersion version : values())
        {
            if (version.name().equalsIgnoreCase(text.trim()))
            {
                return version;
            }
        }
        throw new IllegalArgumentException("unknown TPACKET version '" + text + "' (v2 or v3)");
    }
}
