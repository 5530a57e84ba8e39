package dev.wharf.control.state;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the {@link DesiredState} in {@code STATE_DIR/state.json}: one JSON object holding
 * {@code formatVersion} and, side by side, the fields of every registered section's message
 * ({@link SectionKey#codec()}), in protobuf JSON. The store knows no feature: it joins the sections'
 * message types into one message type at construction (refusing two sections that claim the same
 * key), so an unknown key in the file is refused as before, and splits a loaded file back into the
 * sections, read in registration order so that a section can check its references into earlier
 * ones. A save writes a temporary file, forces it to disk, renames it
 * over the old one and forces the directory, so a crash leaves either the old state or the new,
 * never a torn file. A file that cannot be read or makes no sense is reported, never replaced.
 *
 * <p>Called by the control plane under its lock; not thread-safe itself.
 */
public final class StateStore
{
    public static final String FILE_NAME = "state.json";
    public static final int FORMAT_VERSION = 1;

    private static final String FORMAT_VERSION_FIELD = "format_version";

    private final Path directory;
    private final Path file;
    private final List<SectionKey<?>> sections;
    /** The file's message type: format_version and every section's fields, in their own numbers' order. */
    private final Descriptor fileType;
    private final FieldDescriptor formatVersion;
    /** Per section, its message's fields and the file type's fields they are kept in, index by index. */
    private final List<FieldDescriptor[]> sectionFields = new ArrayList<>();
    private final List<FieldDescriptor[]> fileFields = new ArrayList<>();

    /**
     * @param sections the sections to keep, in the order they are read (one that refers to another comes after it).
     * @throws IllegalArgumentException when two sections claim the same key.
     */
    public StateStore(final Path directory, final List<SectionKey<?>> sections)
    {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
        this.sections = List.copyOf(sections);
        this.fileType = fileType(this.sections);
        this.formatVersion = fileType.findFieldByName(FORMAT_VERSION_FIELD);
        for (final SectionKey<?> section : this.sections)
        {
            final List<FieldDescriptor> own = section.codec().defaultMessage().getDescriptorForType().getFields();
            final FieldDescriptor[] in = own.toArray(new FieldDescriptor[0]);
            final FieldDescriptor[] out = new FieldDescriptor[in.length];
            for (int i = 0; i < in.length; i++)
            {
                out[i] = fileType.findFieldByName(in[i].getName());
            }
            sectionFields.add(in);
            fileFields.add(out);
        }
    }

    /**
     * The message type of the whole file, {@code wharf.v1.PersistedState}: field 1 is the format
     * version, then every section's fields, ordered by the numbers their own messages give them, so
     * that the sections that replaced the one closed message of format 1 print its keys in its order.
     */
    private static Descriptor fileType(final List<SectionKey<?>> sections)
    {
        final List<FieldDescriptor> fields = new ArrayList<>();
        final Set<FileDescriptor> dependencies = new LinkedHashSet<>();
        final Set<String> names = new HashSet<>(Set.of(FORMAT_VERSION_FIELD));
        for (final SectionKey<?> section : sections)
        {
            for (final FieldDescriptor field : section.codec().defaultMessage().getDescriptorForType().getFields())
            {
                if (!names.add(field.getName()) || field.getRealContainingOneof() != null || field.hasPresence() && !field.isRepeated() &&
                    field.getJavaType() != FieldDescriptor.JavaType.MESSAGE)
                {
                    throw new IllegalArgumentException("section " + section + ": field " + field.getName() +
                        " is another section's already, or optional or in a oneof");
                }
                fields.add(field);
                dependencies.add(field.getFile());
                if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE)
                {
                    dependencies.add(field.getMessageType().getFile());
                }
            }
        }
        fields.sort(Comparator.comparingInt(FieldDescriptor::getNumber));
        final DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("PersistedState")
            .addField(FieldDescriptorProto.newBuilder().setName(FORMAT_VERSION_FIELD).setJsonName("formatVersion").setNumber(1)
                .setType(FieldDescriptorProto.Type.TYPE_UINT32).setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL));
        int number = 2;
        for (final FieldDescriptor field : fields)
        {
            message.addField(field.toProto().toBuilder().setNumber(number++));
        }
        final FileDescriptorProto.Builder proto = FileDescriptorProto.newBuilder()
            .setName("wharf/v1/state_file.proto").setPackage("wharf.v1").setSyntax("proto3").addMessageType(message);
        dependencies.forEach(d -> proto.addDependency(d.getName()));
        try
        {
            return FileDescriptor.buildFrom(proto.build(), dependencies.toArray(new FileDescriptor[0])).findMessageTypeByName("PersistedState");
        }
        catch (final DescriptorValidationException e)
        {
            throw new IllegalArgumentException("the sections' messages do not make one state file: " + e.getMessage(), e);
        }
    }

    public Path file()
    {
        return file;
    }

    /** Creates the directory (mode 0700 when new) and checks it is writable. */
    public void prepare() throws StateFileException
    {
        try
        {
            if (!Files.isDirectory(directory))
            {
                Files.createDirectories(directory);
                try
                {
                    Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
                catch (final UnsupportedOperationException ignored)
                {
                    // not a POSIX file system: keep the default mode
                }
            }
            if (!Files.isWritable(directory))
            {
                throw new StateFileException(directory, "the state directory is not writable");
            }
        }
        catch (final IOException e)
        {
            throw new StateFileException(directory, "cannot create the state directory: " + e.getMessage(), e);
        }
    }

    /** The saved state, or {@link DesiredState#EMPTY} when there is no file yet. */
    public DesiredState load() throws StateFileException
    {
        if (!Files.exists(file))
        {
            return DesiredState.EMPTY;
        }
        final String json;
        try
        {
            json = Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final java.nio.charset.CharacterCodingException e)
        {
            // Files.readString says only "Input length = 1"
            throw new StateFileException(file, "not a valid state file: not UTF-8 text, so not JSON", e);
        }
        catch (final IOException e)
        {
            throw new StateFileException(file, "cannot read: " + e.getMessage(), e);
        }
        final DynamicMessage.Builder persisted = DynamicMessage.newBuilder(fileType);
        try
        {
            JsonFormat.parser().merge(json, persisted);
        }
        catch (final InvalidProtocolBufferException | RuntimeException e)
        {
            throw new StateFileException(file, "not a valid state file: " + firstLine(e.getMessage()), e);
        }
        final int version = (Integer)persisted.getField(formatVersion);
        if (version != FORMAT_VERSION)
        {
            throw new StateFileException(file, "format version " + version + " is not supported (expected " + FORMAT_VERSION + ")");
        }
        return toState(persisted.build());
    }

    /** Writes {@code state} atomically. */
    public void save(final DesiredState state) throws StateFileException
    {
        final Path temporary = directory.resolve(FILE_NAME + ".tmp");
        try
        {
            final byte[] bytes = (JsonFormat.printer().print(toPersisted(state)) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try
            {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException e)
            {
                throw new StateFileException(file, "the file system cannot rename atomically", e);
            }
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ))
            {
                dir.force(true);
            }
        }
        catch (final IOException e)
        {
            throw new StateFileException(file, "cannot write: " + e.getMessage(), e);
        }
    }

    private Message toPersisted(final DesiredState state)
    {
        final DynamicMessage.Builder out = DynamicMessage.newBuilder(fileType).setField(formatVersion, FORMAT_VERSION);
        for (int s = 0; s < sections.size(); s++)
        {
            final Message section = write(sections.get(s), state);
            final FieldDescriptor[] own = sectionFields.get(s);
            for (int i = 0; i < own.length; i++)
            {
                if (own[i].isRepeated() ? section.getRepeatedFieldCount(own[i]) > 0 : section.hasField(own[i]))
                {
                    out.setField(fileFields.get(s)[i], section.getField(own[i]));
                }
            }
        }
        return out.build();
    }

    private static <T> Message write(final SectionKey<T> key, final DesiredState state)
    {
        return key.codec().write(state.get(key));
    }

    private DesiredState toState(final Message persisted) throws StateFileException
    {
        final PersistedValues values = new PersistedValues(file);
        DesiredState state = DesiredState.EMPTY;
        for (int s = 0; s < sections.size(); s++)
        {
            final SectionKey<?> key = sections.get(s);
            final Message.Builder section = key.codec().defaultMessage().newBuilderForType();
            final FieldDescriptor[] own = sectionFields.get(s);
            for (int i = 0; i < own.length; i++)
            {
                final FieldDescriptor kept = fileFields.get(s)[i];
                if (kept.isRepeated() ? persisted.getRepeatedFieldCount(kept) > 0 : persisted.hasField(kept))
                {
                    // a DynamicMessage value is copied into the section's generated message type here
                    section.setField(own[i], persisted.getField(kept));
                }
            }
            state = read(key, section.build(), state, values);
        }
        return state;
    }

    private static <T> DesiredState read(
        final SectionKey<T> key, final Message message, final DesiredState earlier, final PersistedValues values) throws StateFileException
    {
        return earlier.with(key, key.codec().read(message, earlier, values));
    }

    private static String firstLine(final String message)
    {
        if (message == null)
        {
            return "unreadable";
        }
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
