namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// Writes a baseline four-component (CMYK, Adobe APP14) JPEG, which Skia cannot encode. Every
/// 8x8 block is flat, so only DC coefficients are coded: enough for a decoder to take the full
/// CMYK path. Component values are given as stored (Adobe's inverted convention).
/// </summary>
internal static class CmykJpeg
{
    public static byte[] Create(int width, int height, byte c, byte m, byte y, byte k)
    {
        if (width % 8 != 0 || height % 8 != 0)
        {
            throw new ArgumentException("Sides must be multiples of 8.");
        }

        var output = new List<byte> { 0xFF, 0xD8 };
        Segment(output, 0xEE, [(byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0, 100, 0, 0, 0, 0, 0]);
        Segment(output, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(output, 0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);

        // DC table: the twelve categories, each a 4-bit code equal to its number. AC table: one
        // 1-bit code, end-of-block, since every block is flat.
        Segment(output, 0xC4, [0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, .. Enumerable.Range(0, 12).Select(i => (byte)i)]);
        Segment(output, 0xC4, [0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]);
        Segment(output, 0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);

        var bits = new BitWriter(output);
        var values = new[] { c, m, y, k };
        var blocks = width / 8 * (height / 8);
        for (var block = 0; block < blocks; block++)
        {
            foreach (var value in values)
            {
                // A flat block's DC coefficient is 8·(value − 128); each component predicts from its
                // previous block, which is the same, so only the first block codes a difference.
                var difference = block == 0 ? 8 * (value - 128) : 0;
                var category = difference == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(difference));
                bits.Write(category, 4);
                if (category > 0)
                {
                    bits.Write(difference > 0 ? difference : difference + (1 << category) - 1, category);
                }

                bits.Write(0, 1);
            }
        }

        bits.Flush();
        output.AddRange([0xFF, 0xD9]);
        return [.. output];
    }

    private static void Segment(List<byte> output, byte marker, byte[] payload)
    {
        var length = payload.Length + 2;
        output.AddRange([0xFF, marker, (byte)(length >> 8), (byte)length]);
        output.AddRange(payload);
    }

    private sealed class BitWriter(List<byte> output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        /// <summary>Pads the last byte with ones, as the standard asks.</summary>
        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.Add((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.Add(0x00);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
