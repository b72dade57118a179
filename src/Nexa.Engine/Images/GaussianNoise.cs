namespace Nexa.Engine.Images;

/// <summary>
/// Seeded standard-normal noise for latents and ancestral steps: our own generator rather than
/// <see cref="Random"/>, whose algorithm .NET may change between versions (a seed must give the same picture after
/// an upgrade). xoshiro256** (Blackman and Vigna) seeded through SplitMix64, as its authors recommend, then
/// Box–Muller in double precision, rounded to float32. Integer arithmetic is exact everywhere; the only platform
/// dependence is the last bit of the C library's log/cos/sin, which the float32 rounding absorbs in practice.
/// </summary>
public sealed class GaussianNoise
{
    private ulong _s0, _s1, _s2, _s3;
    private double? _spare;

    public GaussianNoise(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextBits()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A standard-normal sample (mean 0, variance 1).</summary>
    public double NextGaussian()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }

        // u1 in (0, 1] so that the log is finite; 53 bits, the precision of a double.
        var u1 = ((NextBits() >> 11) + 1) * (1.0 / (1UL << 53));
        var u2 = (NextBits() >> 11) * (1.0 / (1UL << 53));
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        var angle = 2.0 * Math.PI * u2;
        _spare = radius * Math.Sin(angle);
        return radius * Math.Cos(angle);
    }

    /// <summary>Fills <paramref name="target"/> with standard-normal samples times <paramref name="scale"/>.</summary>
    public void Fill(Span<float> target, double scale = 1.0)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = (float)(NextGaussian() * scale);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        var z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
