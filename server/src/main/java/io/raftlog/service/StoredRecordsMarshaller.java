package io.raftlog.service;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.storage.StoredRecords;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The response marshaller of Consume and ConsumeStream: writes {@link StoredRecords} to the wire as
 * the bytes of a {@code ConsumeResponse} without building one. The stored chunks already hold each
 * record as field 1 of a {@code ConsumeResponse} ({@code ChunkCodec}), so the answer is those bytes
 * as they are, then field 2 ({@code next_offset}): the same bytes that parsing them into a {@code
 * ConsumeResponse} and serializing it gave, without a decode and re-encode of every record. gRPC
 * drains the stream into its own buffers, the one copy of each record's bytes on the server.
 *
 * <p>Stateless and shared; {@link #stream} runs on whatever thread sends the answer (the read
 * executor). {@link #parse} is for clients of this descriptor (tests, tools), not for the node.
 */
public final class StoredRecordsMarshaller implements MethodDescriptor.Marshaller<StoredRecords> {
  private static final int NEXT_OFFSET_FIELD = ConsumeResponse.NEXT_OFFSET_FIELD_NUMBER;

  @Override
  public InputStream stream(StoredRecords records) {
    List<ByteString> pieces = new ArrayList<>(records.parts().size() + 1);
    pieces.addAll(records.parts());
    if (records.nextOffset() != 0) { // proto3 leaves a zero out, as ConsumeResponse would
      pieces.add(nextOffsetField(records.nextOffset()));
    }
    // A rope over the parts: no record's bytes are copied here.
    return new Answer(ByteString.copyFrom(pieces));
  }

  @Override
  public StoredRecords parse(InputStream in) {
    try {
      ConsumeResponse r = ConsumeResponse.parseFrom(in);
      ByteString records = r.toBuilder().clearNextOffset().build().toByteString();
      return new StoredRecords(List.of(records), r.getRecordsCount(), r.getNextOffset());
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("not a ConsumeResponse: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }

  private static ByteString nextOffsetField(long nextOffset) {
    byte[] field = new byte[CodedOutputStream.computeUInt64Size(NEXT_OFFSET_FIELD, nextOffset)];
    CodedOutputStream out = CodedOutputStream.newInstance(field);
    try {
      out.writeUInt64(NEXT_OFFSET_FIELD, nextOffset);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException(e); // sized above: cannot happen
    }
    return ByteString.copyFrom(field);
  }

  /** gRPC's framer as a protobuf {@link ByteOutput}: it copies what it is given, keeps nothing. */
  private static final class Target extends ByteOutput {
    private final OutputStream out;

    Target(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(byte value) throws IOException {
      out.write(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) throws IOException {
      out.write(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) throws IOException {
      out.write(value, offset, length);
    }

    @Override
    public void write(ByteBuffer value) throws IOException {
      writeLazy(value);
    }

    @Override
    public void writeLazy(ByteBuffer value) throws IOException {
      if (value.hasArray()) {
        out.write(value.array(), value.arrayOffset() + value.position(), value.remaining());
      } else {
        byte[] copy = new byte[value.remaining()];
        value.duplicate().get(copy);
        out.write(copy);
      }
    }
  }

  /**
   * One encoded answer. gRPC's framer asks its length ({@link KnownLength}) and then drains it into
   * its buffers ({@link Drainable}); read() serves transports that read it instead (in-process).
   */
  private static final class Answer extends InputStream implements Drainable, KnownLength {
    private final ByteString bytes;
    private InputStream reading; // made by the first read(); null while drained whole or untouched
    private boolean drained;

    Answer(ByteString bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (reading != null) {
        return (int) reading.transferTo(target);
      }
      if (drained) {
        return 0;
      }
      drained = true;
      // ByteString.writeTo(OutputStream) copies each piece first (lest the stream keep or change
      // the array); gRPC's framer only copies from it, so the pieces go to it as they are.
      UnsafeByteOperations.unsafeWriteTo(bytes, new Target(target));
      return bytes.size();
    }

    @Override
    public int available() throws IOException {
      if (reading != null) {
        return reading.available();
      }
      return drained ? 0 : bytes.size();
    }

    @Override
    public int read() throws IOException {
      return reading().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return reading().read(b, off, len);
    }

    private InputStream reading() {
      if (reading == null) {
        reading = drained ? InputStream.nullInputStream() : bytes.newInput();
      }
      return reading;
    }
  }
}
