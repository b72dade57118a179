namespace Nexa.Engine.Embeddings;

/// <summary>Vector arithmetic for embeddings.</summary>
internal static class Vectors
{
    /// <summary>
    /// A copy scaled to unit length (L2, summed in double as llama.cpp's server does); an all-zero vector stays zero.
    /// Given the first N dimensions of a vector, this is the Matryoshka truncation: cut, then renormalise.
    /// </summary>
    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var sum = 0.0;
        foreach (var value in vector)
        {
            sum += (double)value * value;
        }

        var scale = sum > 0 ? 1.0 / Math.Sqrt(sum) : 0.0;
        var result = new float[vector.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)(vector[i] * scale);
        }

        return result;
    }
}
