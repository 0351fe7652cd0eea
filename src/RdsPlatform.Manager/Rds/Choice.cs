namespace RdsPlatform.Manager.Rds;

/// <summary>One entry of a drop-down: the contract value and the words shown for it.</summary>
public sealed record Choice<T>(T Value, string Text);
