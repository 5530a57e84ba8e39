package dev.wharf.io;

import org.agrona.BitUtil;
import org.slf4j.LoggerFactory;

/**
 * How a port is opened: whether frames cross the kernel boundary with a virtio-net header, the
 * AF_PACKET ring version, and the sizes of its rings and pools. {@link #DEFAULT} is what the control
 * plane uses; the other settings exist for tests and benchmarks (a port without offloads exercises
 * software segmentation, a TPACKET_V3 port the block ring).
 *
 * @param offloads      set PACKET_VNET_HDR / IFF_VNET_HDR; without it GSO frames are segmented and
 *                      partial checksums completed before they are sent.
 * @param ringVersion   the AF_PACKET ring layout: {@link TpacketVersion#V2} hands over each frame at once
 *                      (latency), {@link TpacketVersion#V3} whole blocks (fewer wakeups, ms under light load).
 * @param rxFrames      TPACKET_V2 receive frames per AF_PACKET queue (at least this many; each holds a GSO frame).
 * @param rxBlocks      TPACKET_V3 receive blocks per AF_PACKET queue.
 * @param rxBlockSize   TPACKET_V3 bytes per receive block; a power of two of at least 128 KiB, larger than a GSO frame.
 * @param txFrames      transmit ring frames per AF_PACKET queue, each large enough for a GSO frame.
 * @param tapSlots      receive slots per TAP queue (each holds a GSO frame).
 * @param retireBlockMs TPACKET_V3 block retire timeout: a partly filled block is handed over after this long.
 */
public record PortOptions(
    boolean offloads, TpacketVersion ringVersion, int rxFrames, int rxBlocks, int rxBlockSize, int txFrames, int tapSlots,
    int retireBlockMs)
{
    /** System property that overrides {@link #RING_VERSION_DEFAULT} in {@link #DEFAULT}: {@code v2} or {@code v3}. */
    public static final String RING_VERSION_PROP_NAME = "wharf.afpacket.ring";
    public static final TpacketVersion RING_VERSION_DEFAULT = TpacketVersion.V2;
    /** A full batch, plus room for the kernel to keep filling while the worker holds that batch. */
    public static final int RX_FRAMES_DEFAULT = 256;
    public static final int RX_BLOCKS_DEFAULT = 64;
    public static final int RX_BLOCK_SIZE_DEFAULT = 256 * 1024;
    public static final int TX_FRAMES_DEFAULT = 96;
    public static final int TAP_SLOTS_DEFAULT = 64;
    public static final int RETIRE_BLOCK_MS_DEFAULT = 1;

    public static final PortOptions DEFAULT = new PortOptions(
        true, ringVersionFromProperty(), RX_FRAMES_DEFAULT, RX_BLOCKS_DEFAULT, RX_BLOCK_SIZE_DEFAULT, TX_FRAMES_DEFAULT,
        TAP_SLOTS_DEFAULT, RETIRE_BLOCK_MS_DEFAULT);

    public PortOptions
    {
        if (ringVersion == null || rxFrames < 2 || rxBlocks < 2 || !BitUtil.isPowerOfTwo(rxBlockSize) || rxBlockSize < 128 * 1024 ||
            txFrames < 1 || tapSlots < 1 || retireBlockMs < 1)
        {
            throw new IllegalArgumentException("invalid port options: " + ringVersion + ", " + rxFrames + " frames, " + rxBlocks +
                " blocks of " + rxBlockSize + ", " + txFrames + " tx frames, " + tapSlots + " TAP slots, retire " + retireBlockMs + " ms");
        }
    }

    public PortOptions withOffloads(final boolean enabled)
    {
        return new PortOptions(enabled, ringVersion, rxFrames, rxBlocks, rxBlockSize, txFrames, tapSlots, retireBlockMs);
    }

    public PortOptions withRingVersion(final TpacketVersion version)
    {
        return new PortOptions(offloads, version, rxFrames, rxBlocks, rxBlockSize, txFrames, tapSlots, retireBlockMs);
    }

    /** TPACKET_V2 receive ring size. */
    public PortOptions withRxFrames(final int frames)
    {
        return new PortOptions(offloads, ringVersion, frames, rxBlocks, rxBlockSize, txFrames, tapSlots, retireBlockMs);
    }

    /** TPACKET_V3 receive ring geometry. */
    public PortOptions withRxRing(final int blocks, final int blockSize)
    {
        return new PortOptions(offloads, ringVersion, rxFrames, blocks, blockSize, txFrames, tapSlots, retireBlockMs);
    }

    public PortOptions withTxFrames(final int frames)
    {
        return new PortOptions(offloads, ringVersion, rxFrames, rxBlocks, rxBlockSize, frames, tapSlots, retireBlockMs);
    }

    private static TpacketVersion ringVersionFromProperty()
    {
        final String value = System.getProperty(RING_VERSION_PROP_NAME);
        if (value == null || value.isBlank())
        {
            return RING_VERSION_DEFAULT;
        }
        try
        {
            return TpacketVersion.parse(value);
        }
        catch (final IllegalArgumentException ex)
        {
            // a typo in a tuning knob must not leave the class uninitialised and every port unopenable; the logger is
            // asked for only here, so a JVM with a good setting never initialises SLF4J on this class's account
            LoggerFactory.getLogger(PortOptions.class).warn("ignoring -D{}: {}; using {}", RING_VERSION_PROP_NAME, ex.getMessage(),
                RING_VERSION_DEFAULT);
            return RING_VERSION_DEFAULT;
        }
    }
}
