package dev.wharf.io;

/** The whole AF_PACKET suite again on TPACKET_V3 rings, the block-based choice that stays selectable. */
final class AfPacketV3PortTest extends AfPacketPortTest
{
    @Override
    TpacketVersion ringVersion()
    {
        return TpacketVersion.V3;
    }
}
