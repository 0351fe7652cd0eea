namespace RdsPlatform.LicenseServer.Storage;

/// <summary>
/// What a write group declared it reads (<see cref="WriteScope"/>), read once at the group's start and kept current with
/// the group's own changes, so each decision reads in memory exactly what the database would answer at its time:
/// the scoped subjects' CALs, and the packs of the scoped types with their seats occupied at any time between the
/// earliest and the latest scope's clock. Pure bookkeeping, no database: a question it cannot answer exactly returns null,
/// and the session asks the database instead.
/// </summary>
internal sealed class GroupSnapshot
{
    private readonly Dictionary<(CalType Type, string Subject), List<LicenseRecord>> _subjects;
    private readonly Dictionary<CalType, List<KeyPackRecord>> _packs;
    private readonly List<Seat> _ending;
    private readonly Dictionary<Guid, Move> _moved = [];
    private readonly long _from;
    private readonly long _to;
    private bool _current = true;

    /// <param name="subjects">Every scoped subject's CALs as the database ordered them, an empty list for a subject with none.</param>
    /// <param name="packs">Every pack of the scoped types, with <see cref="KeyPackRecord.Issued"/> the seats occupied at <paramref name="from"/>.</param>
    /// <param name="ending">The seats of those packs that end after <paramref name="from"/> and at or before <paramref name="to"/>.</param>
    public GroupSnapshot(Dictionary<(CalType, string), List<LicenseRecord>> subjects, Dictionary<CalType, List<KeyPackRecord>> packs,
        List<Seat> ending, DateTimeOffset from, DateTimeOffset to)
    {
        _subjects = subjects;
        _packs = packs;
        _ending = ending;
        _from = from.UtcTicks;
        _to = to.UtcTicks;
    }

    /// <summary>A pack seat held until <see cref="Until"/> (UTC ticks).</summary>
    internal readonly record struct Seat(Guid Pack, long Until);

    /// <summary>A CAL's seat as the database had it before the group (null: none, or inserted by the group) and as the group left it.</summary>
    private readonly record struct Move(Seat? Before, Seat? After);

    /// <summary>The time span the group's reads cover: the earliest and the latest of its writes' clocks.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Span(IReadOnlyList<WriteScope> scopes)
    {
        var from = scopes[0].Now;
        var to = from;
        foreach (var scope in scopes)
        {
            from = scope.Now < from ? scope.Now : from;
            to = scope.Now > to ? scope.Now : to;
        }

        return (from, to);
    }

    /// <summary>Stops answering: a change the snapshot cannot follow was made (a pack installed, another table written).</summary>
    public void Forget() => _current = false;

    public IReadOnlyList<LicenseRecord>? SubjectLicenses(CalType type, string subject) =>
        _current && _subjects.TryGetValue((type, subject), out var licenses) ? licenses.ToArray() : null;

    public List<KeyPackRecord>? Packs(CalType type, DateTimeOffset now) =>
        Covers(now) && _packs.TryGetValue(type, out var packs) ? packs.ConvertAll(pack => At(pack, now.UtcTicks)) : null;

    /// <summary>The pack with its seats at <paramref name="now"/>, or null when this snapshot does not hold it (ask the database).</summary>
    public KeyPackRecord? Pack(Guid id, DateTimeOffset now)
    {
        if (!Covers(now))
        {
            return null;
        }

        foreach (var packs in _packs.Values)
        {
            if (packs.Find(pack => pack.Id == id) is { } found)
            {
                return At(found, now.UtcTicks);
            }
        }

        return null;
    }

    public void Inserted(LicenseRecord license)
    {
        _moved[license.Cal.LicenseId] = new Move(null, SeatOf(license));
        if (_subjects.TryGetValue((license.Cal.Type, license.Cal.Subject), out var licenses))
        {
            // Appended: the database orders a subject's CALs by insertion.
            licenses.Add(license);
        }
    }

    public void Updated(LicenseRecord license)
    {
        var id = license.Cal.LicenseId;
        var licenses = _subjects.GetValueOrDefault((license.Cal.Type, license.Cal.Subject));
        var index = licenses?.FindIndex(l => l.Cal.LicenseId == id) ?? -1;
        if (index < 0)
        {
            // A CAL the group did not read, or one moved to another subject or type: its seat before is unknown here.
            Forget();
            return;
        }

        var before = _moved.TryGetValue(id, out var move) ? move.Before : SeatOf(licenses![index]);
        _moved[id] = new Move(before, SeatOf(license));
        licenses![index] = license;
    }

    private bool Covers(DateTimeOffset now) => _current && now.UtcTicks >= _from && now.UtcTicks <= _to;

    /// <summary>
    /// The pack's occupied seats at <paramref name="now"/> = held at the start (seat end after the earliest clock), less
    /// those that ended by <paramref name="now"/>, less the seats the group moved away and plus those it took, each as held at <paramref name="now"/>.
    /// </summary>
    private KeyPackRecord At(KeyPackRecord pack, long now)
    {
        var occupied = pack.Issued;
        foreach (var seat in _ending)
        {
            occupied -= seat.Pack == pack.Id && seat.Until <= now ? 1 : 0;
        }

        foreach (var move in _moved.Values)
        {
            occupied -= Holds(move.Before, pack.Id, now) ? 1 : 0;
            occupied += Holds(move.After, pack.Id, now) ? 1 : 0;
        }

        return occupied == pack.Issued ? pack : pack with { Issued = occupied };
    }

    private static bool Holds(Seat? seat, Guid pack, long now) => seat is { } held && held.Pack == pack && held.Until > now;

    private static Seat? SeatOf(LicenseRecord license) =>
        license.Cal is { KeyPackId: { } pack, SeatHeldUntil: { } until } ? new Seat(pack, until.UtcTicks) : null;
}
