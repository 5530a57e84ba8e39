package dev.wharf.control.state;

import com.google.protobuf.Message;
import dev.wharf.control.api.v1.PersistedUplink;
import dev.wharf.control.api.v1.PersistedUplinkSection;
import dev.wharf.dataplane.protocol.Ipv4Address;

/** Keeps the {@link UplinkSection} as {@code wharf.v1.PersistedUplinkSection}: the {@code uplink} key of {@code state.json}. Stateless. */
final class UplinkSectionCodec implements SectionCodec<UplinkSection>
{
    @Override
    public Message defaultMessage()
    {
        return PersistedUplinkSection.getDefaultInstance();
    }

    @Override
    public Message write(final UplinkSection section)
    {
        final PersistedUplinkSection.Builder out = PersistedUplinkSection.newBuilder();
        final UplinkSpec uplink = section.uplink();
        if (uplink != null)
        {
            out.setUplink(PersistedUplink.newBuilder()
                .setInterface(uplink.interfaceName())
                .setAddress(uplink.addressText())
                .setGateway(Ipv4Address.toString(uplink.gateway())));
        }
        return out.build();
    }

    @Override
    public UplinkSection read(final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        final PersistedUplinkSection persisted = (PersistedUplinkSection)message;
        if (!persisted.hasUplink())
        {
            return UplinkSection.EMPTY;
        }
        final PersistedUplink u = persisted.getUplink();
        final String where = "uplink \"" + u.getInterface() + "\"";
        final String address = u.getAddress();
        final int slash = address.indexOf('/');
        if (u.getInterface().isEmpty() || slash < 0)
        {
            throw values.failure(where + " has no interface or no address/prefix");
        }
        final int prefix;
        try
        {
            prefix = Integer.parseInt(address.substring(slash + 1));
        }
        catch (final NumberFormatException e)
        {
            throw values.failure(where + " has a bad address \"" + address + "\"");
        }
        return new UplinkSection(new UplinkSpec(u.getInterface(), values.ip(address.substring(0, slash), where), prefix,
            values.ip(u.getGateway(), where)));
    }
}
