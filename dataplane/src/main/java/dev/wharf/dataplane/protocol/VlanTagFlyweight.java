package dev.wharf.dataplane.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static dev.wharf.dataplane.protocol.ByteOrder.NETWORK;

/**
 * IEEE 802.1Q tag as it sits after the source MAC: TPID (0x8100), TCI (PCP 3 bits, DEI 1 bit,
 * VID 12 bits), then the encapsulated EtherType. Offsets are from the start of the Ethernet frame.
 */
public final class VlanTagFlyweight
{
    public static final int TPID_OFFSET = 12;
    public static final int TCI_OFFSET = 14;
    public static final int INNER_TYPE_OFFSET = 16;
    public static final int TAG_LENGTH = 4;
    public static final int TAGGED_HEADER_LENGTH = EthernetFlyweight.HEADER_LENGTH + TAG_LENGTH;
    public static final int VID_MASK = 0x0FFF;
    public static final int MAX_VID = 4094;

    private MutableDirectBuffer buffer;
    private int offset;

    public VlanTagFlyweight wrap(final MutableDirectBuffer buffer, final int frameOffset)
    {
        this.buffer = buffer;
        this.offset = frameOffset;
        return this;
    }

    public int tci()
    {
        return buffer.getShort(offset + TCI_OFFSET, NETWORK) & 0xFFFF;
    }

    public int vid()
    {
        return tci() & VID_MASK;
    }

    public int priority()
    {
        return tci() >>> 13;
    }

    public int innerEtherType()
    {
        return buffer.getShort(offset + INNER_TYPE_OFFSET, NETWORK) & 0xFFFF;
    }

    public VlanTagFlyweight tci(final int tci)
    {
        buffer.putShort(offset + TCI_OFFSET, (short)tci, NETWORK);
        return this;
    }

    /** The length of a frame of {@code length} bytes on the wire, with a tag when {@code tci} is not negative. */
    public static int taggedLength(final int length, final int tci)
    {
        return tci >= 0 ? length + TAG_LENGTH : length;
    }

    /**
     * Copies an untagged frame into {@code copy} as it leaves with {@code tci} inserted after the source MAC
     * (or as it is when {@code tci} is negative), keeping as many bytes as {@code copy} holds. Slow paths only
     * (capture, test ports): it is for frames leaving the dataplane as byte arrays.
     */
    public static void copyOut(final DirectBuffer frame, final int length, final int tci, final byte[] copy)
    {
        if (tci < 0 || copy.length < TAGGED_HEADER_LENGTH - 2)
        {
            frame.getBytes(0, copy, 0, Math.min(copy.length, length));
            return;
        }
        frame.getBytes(0, copy, 0, TPID_OFFSET);
        copy[TPID_OFFSET] = (byte)(EthernetFlyweight.TYPE_VLAN >>> 8);
        copy[TPID_OFFSET + 1] = (byte)EthernetFlyweight.TYPE_VLAN;
        copy[TCI_OFFSET] = (byte)(tci >>> 8);
        copy[TCI_OFFSET + 1] = (byte)tci;
        frame.getBytes(TPID_OFFSET, copy, INNER_TYPE_OFFSET, Math.min(copy.length - INNER_TYPE_OFFSET, length - TPID_OFFSET));
    }

    /**
     * Removes the tag in place: the twelve MAC bytes move forward over it, so the frame then starts
     * {@link #TAG_LENGTH} bytes later. The caller moves its frame start.
     */
    public static void stripInPlace(final MutableDirectBuffer frame, final int frameOffset)
    {
        final long dstAndSrcHigh = frame.getLong(frameOffset);
        final int srcLow = frame.getInt(frameOffset + 8);
        frame.putInt(frameOffset + 8 + TAG_LENGTH, srcLow);
        frame.putLong(frameOffset + TAG_LENGTH, dstAndSrcHigh);
    }

    /**
     * Inserts a tag in place: the twelve MAC bytes move {@link #TAG_LENGTH} bytes back into the
     * headroom. {@code newFrameOffset} is the frame's start after the move (old start - 4).
     */
    public static void pushInPlace(final MutableDirectBuffer frame, final int newFrameOffset, final int tci)
    {
        final long dstAndSrcHigh = frame.getLong(newFrameOffset + TAG_LENGTH);
        final int srcLow = frame.getInt(newFrameOffset + TAG_LENGTH + 8);
        frame.putLong(newFrameOffset, dstAndSrcHigh);
        frame.putInt(newFrameOffset + 8, srcLow);
        frame.putShort(newFrameOffset + TPID_OFFSET, (short)EthernetFlyweight.TYPE_VLAN, NETWORK);
        frame.putShort(newFrameOffset + TCI_OFFSET, (short)tci, NETWORK);
    }
}
