package dev.wharf.dataplane.protocol;

/** Network byte order, named once so flyweights read as the RFCs do. */
final class ByteOrder
{
    static final java.nio.ByteOrder NETWORK = java.nio.ByteOrder.BIG_ENDIAN;

    private ByteOrder()
    {
    }
}
