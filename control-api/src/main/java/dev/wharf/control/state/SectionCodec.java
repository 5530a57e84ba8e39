package dev.wharf.control.state;

import com.google.protobuf.Message;

/**
 * How one section of the {@link DesiredState} is kept in {@code state.json}: as a protobuf message
 * of its own whose fields are top-level keys of the file beside the other sections' (the
 * {@link StateStore} joins them into one JSON object and splits them again, and refuses two sections
 * that claim the same key). Stateless; called by the store under the control plane's lock.
 *
 * @param <T> the section's value.
 */
public interface SectionCodec<T>
{
    /** The message type the section is kept as (its default instance). */
    Message defaultMessage();

    /** The section as its message. */
    Message write(T section);

    /**
     * The section from its message, checked.
     *
     * @param message  a message of {@link #defaultMessage()}'s type.
     * @param earlier  the sections read before this one (those registered earlier), for references into them.
     * @param values   parsers of addresses, subnets and MACs that report a bad one against the file.
     * @throws StateFileException when the message makes no sense.
     */
    T read(Message message, DesiredState earlier, PersistedValues values) throws StateFileException;
}
