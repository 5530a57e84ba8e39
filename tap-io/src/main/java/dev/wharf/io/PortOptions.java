package dev.wharf.io;

/**
 * How a port is opened: whether frames cross the kernel boundary with a virtio-net header, and the
 * sizes of its rings and pools. {@link #DEFAULT} is what the control plane uses; the other settings
 * exist for tests and benchmarks (a port without offloads exercises software segmentation).
 *
 * @param offloads      set PACKET_VNET_HDR / IFF_VNET_HDR; without it GSO frames are segmented and
 *                      partial checksums completed before they are sent.
 * @param rxBlocks      TPACKET_V3 receive blocks per AF_PACKET queue.
 * @param rxBlockSize   bytes per receive block; a power of two of at least a page, and larger than a GSO frame.
 * @param txFrames      transmit ring frames per AF_PACKET queue, each large enough for a GSO frame.
 * @param tapSlots      receive slots per TAP queue (each holds a GSO frame).
 * @param retireBlockMs TPACKET_V3 block retire timeout: a partly filled block is handed over after this long.
 */
public record PortOptions(boolean offloads, int rxBlocks, int rxBlockSize, int txFrames, int tapSlots, int retireBlockMs)
{
    public static final int RX_BLOCKS_DEFAULT = 64;
    public static final int RX_BLOCK_SIZE_DEFAULT = 256 * 1024;
    public static final int TX_FRAMES_DEFAULT = 96;
    public static final int TAP_SLOTS_DEFAULT = 64;
    public static final int RETIRE_BLOCK_MS_DEFAULT = 1;

    public static final PortOptions DEFAULT = new PortOptions(
        true, RX_BLOCKS_DEFAULT, RX_BLOCK_SIZE_DEFAULT, TX_FRAMES_DEFAULT, TAP_SLOTS_DEFAULT, RETIRE_BLOCK_MS_DEFAULT);

    public PortOptions
    {
        if (rxBlocks < 2 || Integer.bitCount(rxBlockSize) != 1 || rxBlockSize < 128 * 1024 || txFrames < 1 || tapSlots < 1 ||
            retireBlockMs < 1)
        {
            throw new IllegalArgumentException("invalid port options: " + rxBlocks + " blocks of " + rxBlockSize + ", " +
                txFrames + " tx frames, " + tapSlots + " TAP slots, retire " + retireBlockMs + " ms");
        }
    }

    public PortOptions withOffloads(final boolean enabled)
    {
        return new PortOptions(enabled, rxBlocks, rxBlockSize, txFrames, tapSlots, retireBlockMs);
    }

    public PortOptions withRxRing(final int blocks, final int blockSize)
    {
        return new PortOptions(offloads, blocks, blockSize, txFrames, tapSlots, retireBlockMs);
    }

    public PortOptions withTxFrames(final int frames)
    {
        return new PortOptions(offloads, rxBlocks, rxBlockSize, frames, tapSlots, retireBlockMs);
    }
}
