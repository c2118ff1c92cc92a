using CatsDogs.Model.Memory;
using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// Uploads batches on the copy stream into two device staging buffers used in turn, so that the
/// upload of batch k+1 runs while the compute stream still works on batch k. Events order the
/// streams: the compute stream waits for a batch's upload before converting it, and an upload
/// into a staging buffer waits until the conversion that last read it has run.
/// <para>
/// Host memory contract: the upload reads the batch's host memory asynchronously (truly so when
/// it is pinned). Each <see cref="Load"/> returns once the previous batch's upload has finished,
/// so a batch's memory may be reused when the next <see cref="Load"/> has returned, or after
/// <see cref="WaitForUploads"/>. That wait never waits for a step to finish, but each upload
/// waits for its staging buffer's conversion two batches back, so it also bounds
/// how far the host runs ahead: about three steps, with the GPU still holding two steps of queued
/// work when the host blocks here (docs/GPU.md, "How a step runs on the GPU").
/// </para>
/// </summary>
internal sealed class ImageUploader : IDisposable
{
    // Labels follow the pixels in a staging buffer at an offset aligned for float loads.
    private const long LabelAlignment = 256;

    private readonly CudaStream _copy;
    private readonly CudaStream _compute;
    private readonly Slot[] _slots;
    private int _next;
    private CudaEvent? _previousUpload;

    public ImageUploader(CudaContext context, CudaStream copy, CudaStream compute)
    {
        (_copy, _compute) = (copy, compute);
        _slots = [new Slot(context, Drain), new Slot(context, Drain)];
    }

    public void Load(HostImageBatch batch, CudaTensor images, CudaTensor labels, CudaKernels kernels)
    {
        var slot = _slots[_next];
        _next ^= 1;
        var pixelBytes = (long)batch.Count * batch.ImageBytes;
        var labelOffset = (pixelBytes + LabelAlignment - 1) / LabelAlignment * LabelAlignment;
        var staging = slot.Staging.Reserve(labelOffset + (long)batch.Count * sizeof(float));

        if (slot.Used)
        {
            _copy.Wait(slot.Consumed);
        }

        _copy.CopyHostToDevice(batch.Pixels, staging, pixelBytes);
        _copy.CopyHostToDevice(batch.Labels, staging + (ulong)labelOffset, batch.Count * sizeof(float));
        slot.Uploaded.Record(_copy);

        _compute.Wait(slot.Uploaded);
        kernels.LoadImages(staging, staging + (ulong)labelOffset, images.Address, labels.Address, batch.Count, batch.Height * batch.Width, _compute);
        slot.Consumed.Record(_compute);
        slot.Used = true;

        _previousUpload?.Synchronize();
        _previousUpload = slot.Uploaded;
    }

    /// <summary>Returns when every batch given so far has been read from host memory.</summary>
    public void WaitForUploads() => _previousUpload?.Synchronize();

    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            slot.Dispose();
        }
    }

    /// <summary>Both streams drained: no queued copy or conversion can still touch a staging buffer.</summary>
    private void Drain()
    {
        _copy.Synchronize();
        _compute.Synchronize();
    }

    private sealed class Slot(CudaContext context, Action drain) : IDisposable
    {
        public DeviceWorkspace Staging { get; } = new(context, drain);

        public CudaEvent Uploaded { get; } = CudaEvent.Create(context);

        public CudaEvent Consumed { get; } = CudaEvent.Create(context);

        /// <summary>Whether <see cref="Consumed"/> has been recorded (waiting on an unrecorded event is skipped).</summary>
        public bool Used { get; set; }

        public void Dispose()
        {
            Staging.Dispose();
            Uploaded.Dispose();
            Consumed.Dispose();
        }
    }
}
