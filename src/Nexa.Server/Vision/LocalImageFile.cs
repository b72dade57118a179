using Nexa.Engine.Vision;

namespace Nexa.Server.Vision;

/// <summary>
/// Reads an image from a path on this machine: regular files only, checked before they are opened, and never more
/// than <see cref="ImageLimits.MaxBytes"/>. A device (<c>/dev/zero</c> reads forever), a named pipe (opening it
/// blocks until someone writes), a socket or a folder is refused at once.
/// </summary>
/// <remarks>
/// .NET tells no file type but a folder, so the type is read from the size: Unix reports 0 bytes for devices, pipes
/// and sockets (and for the kernel's live files such as <c>/proc/self/environ</c>), and an empty file is no image
/// either. Links are followed to their final target first, so the check sees what would be opened.
/// </remarks>
internal static class LocalImageFile
{
    public static async Task<byte[]> ReadAsync(string path, ImageByteBudget budget, CancellationToken ct)
    {
        FileSystemInfo target = new FileInfo(path);
        if (target.LinkTarget is not null)
            target = target.ResolveLinkTarget(returnFinalTarget: true) ?? target;
        if (Directory.Exists(target.FullName))
            throw new FileNotFoundException($"'{path}' is a folder, not an image file");
        if (!target.Exists)
            throw new FileNotFoundException($"file not found on the server: '{path}'");
        var length = ((FileInfo)target).Length;
        if (length == 0)
            throw new ImageException(ImageErrorKind.NotAnImage, $"not an image: '{path}' is empty, or not a regular file (a device, a pipe or a socket)");
        if (length > ImageLimits.MaxBytes)
            throw new ImageException(ImageErrorKind.TooLarge, $"image too large: '{path}' has {length} bytes; at most {ImageLimits.MaxBytes}");
        budget.Take(length);
        try
        {
            await using var file = new FileStream(target.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.Asynchronous);
            // Never more than the size seen: a file that grows meanwhile is cut, one that shrinks gives what it has.
            var bytes = new byte[length];
            var read = await file.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, ct);
            return read == bytes.Length ? bytes : bytes[..read];
        }
        catch (UnauthorizedAccessException)
        {
            throw new FileNotFoundException($"the server may not read '{path}'");
        }
    }
}
