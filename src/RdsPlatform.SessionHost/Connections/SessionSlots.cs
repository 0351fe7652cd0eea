// The sessions a gateway holds in process: fixed-size slots in a few large arrays, found by session id, evicted by a clock.
using System.Buffers.Binary;

namespace RdsPlatform.SessionHost.Connections;

/// <summary>
/// Up to a capacity of packed sessions (<see cref="SessionCodec"/>) with the tick count each expires at. Every admitted
/// Connect adds one and, once full, pushes one out, so thousands a second outlive gen0: as objects (an array, an LRU item,
/// a dictionary node and the id string each) they were promoted, marked and compacted by the GC, the largest cost a Connect
/// with a valid certificate had over a bare call (docs/performance.md). Here a session is a slot in a chunk of
/// <see cref="ChunkSlots"/> slots (a byte array without references, allocated as the store fills), found through a
/// dictionary from the session id's 16 bytes to its slot (an array of structs): no object per session at all.
/// Eviction is a clock (second chance): a session read since the hand last passed stays one more round, so sessions
/// signed in again and again stay while sessions nobody reads leave first, as with the LRU before. One lock guards it all:
/// each operation is a dictionary lookup and a copy of at most <see cref="SlotSize"/> bytes.
/// Only ids in the form the gateway issues (32 lowercase hexadecimal digits) are held; any other id is never found here.
/// </summary>
internal sealed class SessionSlots(int capacity)
{
    /// <summary>Bytes per slot: the header and a packed session of up to <see cref="DataSize"/> bytes (most are ~100-130).</summary>
    internal const int SlotSize = 192;

    internal const int ChunkSlots = 1024;

    // Slot header: the id (16 bytes), the expiry (int64 tick count), the packed length (uint16: 0 free, Overflow for a
    // session kept in _overflow) and the referenced flag.
    private const int ExpiryAt = 16;
    private const int LengthAt = 24;
    private const int ReferencedAt = 26;
    private const int DataAt = 28;
    private const int DataSize = SlotSize - DataAt;
    private const ushort Overflow = ushort.MaxValue;

    private readonly object _lock = new();
    private readonly Dictionary<Guid, int> _index = [];
    private readonly byte[]?[] _chunks = new byte[]?[(capacity + ChunkSlots - 1) / ChunkSlots];
    // Sessions longer than a slot's data (long names, non-ASCII): their own array, rare.
    private readonly Dictionary<int, byte[]> _overflow = [];
    private readonly Stack<int> _free = new();
    private int _used;
    private int _hand;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Holds <paramref name="packed"/> for <paramref name="sessionId"/> until <paramref name="expiresAtTicks"/>, replacing what it held for that id.</summary>
    public void Put(string sessionId, byte[] packed, long expiresAtTicks)
    {
        if (!TryKey(sessionId, out var key))
        {
            return;
        }

        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var slot))
            {
                slot = TakeSlot();
                _index.Add(key, slot);
            }

            var span = Slot(slot);
            key.TryWriteBytes(span);
            BinaryPrimitives.WriteInt64LittleEndian(span[ExpiryAt..], expiresAtTicks);
            span[ReferencedAt] = 0;
            if (packed.Length <= DataSize)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[LengthAt..], (ushort)packed.Length);
                packed.CopyTo(span[DataAt..]);
                _overflow.Remove(slot);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span[LengthAt..], Overflow);
                _overflow[slot] = packed;
            }
        }
    }

    /// <summary>
    /// True when a session is held for <paramref name="sessionId"/>: <paramref name="session"/> is it, or null when it
    /// expired (it is then forgotten).
    /// </summary>
    public bool TryFind(string sessionId, long nowTicks, out SessionState? session)
    {
        session = null;
        if (!TryKey(sessionId, out var key))
        {
            return false;
        }

        Span<byte> copy = stackalloc byte[DataSize];
        scoped ReadOnlySpan<byte> packed;
        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var slot))
            {
                return false;
            }

            var span = Slot(slot);
            if (BinaryPrimitives.ReadInt64LittleEndian(span[ExpiryAt..]) <= nowTicks)
            {
                Free(key, slot);
                return true;
            }

            span[ReferencedAt] = 1;
            var length = BinaryPrimitives.ReadUInt16LittleEndian(span[LengthAt..]);
            if (length == Overflow)
            {
                packed = _overflow[slot];
            }
            else
            {
                span.Slice(DataAt, length).CopyTo(copy);
                packed = copy[..length];
            }
        }

        session = SessionCodec.Decode(sessionId, packed);
        return true;
    }

    /// <summary>Forgets the session; whether one that had not expired by <paramref name="nowTicks"/> was held.</summary>
    public bool Remove(string sessionId, long nowTicks)
    {
        if (!TryKey(sessionId, out var key))
        {
            return false;
        }

        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var slot))
            {
                return false;
            }

            var live = BinaryPrimitives.ReadInt64LittleEndian(Slot(slot)[ExpiryAt..]) > nowTicks;
            Free(key, slot);
            return live;
        }
    }

    /// <summary>Forgets every session expired by <paramref name="nowTicks"/>.</summary>
    public void RemoveExpired(long nowTicks)
    {
        lock (_lock)
        {
            for (var slot = 0; slot < _used; slot++)
            {
                var span = Slot(slot);
                if (BinaryPrimitives.ReadUInt16LittleEndian(span[LengthAt..]) != 0 && BinaryPrimitives.ReadInt64LittleEndian(span[ExpiryAt..]) <= nowTicks)
                {
                    Free(new Guid(span[..16]), slot);
                }
            }
        }
    }

    // A free slot, a never used one, or (full) the first one the clock's hand finds not read since it last passed.
    private int TakeSlot()
    {
        if (_free.TryPop(out var free))
        {
            return free;
        }

        if (_used < capacity)
        {
            var slot = _used++;
            _chunks[slot / ChunkSlots] ??= GC.AllocateUninitializedArray<byte>(ChunkSlots * SlotSize);
            return slot;
        }

        while (true)
        {
            var slot = _hand;
            _hand = (_hand + 1) % _used;
            var span = Slot(slot);
            if (span[ReferencedAt] != 0)
            {
                span[ReferencedAt] = 0;
                continue;
            }

            _index.Remove(new Guid(span[..16]));
            _overflow.Remove(slot);
            return slot;
        }
    }

    private void Free(Guid key, int slot)
    {
        _index.Remove(key);
        _overflow.Remove(slot);
        BinaryPrimitives.WriteUInt16LittleEndian(Slot(slot)[LengthAt..], 0);
        _free.Push(slot);
    }

    private Span<byte> Slot(int slot) => _chunks[slot / ChunkSlots]!.AsSpan(slot % ChunkSlots * SlotSize, SlotSize);

    // The gateway issues Guid.ToString("N"): exactly that text maps to a key (Guid parsing alone would also accept
    // uppercase digits, another id for the shared cache, whose keys are case-sensitive).
    private static bool TryKey(string sessionId, out Guid key)
    {
        key = default;
        return sessionId.Length == 32 && !sessionId.AsSpan().ContainsAnyInRange('A', 'F') && Guid.TryParseExact(sessionId, "N", out key);
    }
}
