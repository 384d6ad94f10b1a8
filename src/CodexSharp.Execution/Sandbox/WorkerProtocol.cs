using System.Buffers.Binary;
using System.Text;
using CodexSharp.Core.Execution;

namespace CodexSharp.Execution.Sandbox;

/// <summary>The byte frames exchanged with a worker (documented at the top of sandbox_worker.py).</summary>
internal static class WorkerProtocol
{
    public static ReadOnlySpan<byte> Ready => "CSWREADY"u8;

    public const int RequestHeaderSize = 24;   // id:u64 timeout_ms:u32 cpu_limit_ms:u32 program_len:u32 judge_len:u32
    public const int ResponseHeaderSize = 29;  // id:u64 status:u8 duration_us:u64 cpu_us:u64 message_len:u32

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>A request frame; <paramref name="cpuLimit"/> null (or zero) means no CPU-time limit, <paramref name="judge"/> null one program alone.</summary>
    public static byte[] EncodeRequest(ulong id, string program, TimeSpan timeout, TimeSpan? cpuLimit = null, string? judge = null)
    {
        var length = Utf8.GetByteCount(program);
        var judgeLength = judge is null ? 0 : Utf8.GetByteCount(judge);
        var frame = new byte[RequestHeaderSize + length + judgeLength];
        var timeoutMs = (uint)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, uint.MaxValue);
        var cpuLimitMs = cpuLimit is { } cpu && cpu > TimeSpan.Zero ? (uint)Math.Clamp(Math.Ceiling(cpu.TotalMilliseconds), 1, uint.MaxValue) : 0;
        BinaryPrimitives.WriteUInt64LittleEndian(frame, id);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), timeoutMs);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(12), cpuLimitMs);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(16), (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(20), (uint)judgeLength);
        Utf8.GetBytes(program, frame.AsSpan(RequestHeaderSize));
        if (judge is not null) Utf8.GetBytes(judge, frame.AsSpan(RequestHeaderSize + length));
        return frame;
    }

    public readonly record struct ResponseHeader(ulong Id, byte Status, TimeSpan Duration, TimeSpan CpuTime, int MessageLength);

    public static ResponseHeader DecodeResponseHeader(ReadOnlySpan<byte> header)
    {
        var id = BinaryPrimitives.ReadUInt64LittleEndian(header);
        var status = header[8];
        var micros = BinaryPrimitives.ReadUInt64LittleEndian(header[9..]);
        var cpuMicros = BinaryPrimitives.ReadUInt64LittleEndian(header[17..]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[25..]);
        return new ResponseHeader(id, status, TimeSpan.FromMicroseconds(micros), TimeSpan.FromMicroseconds(cpuMicros), length > int.MaxValue ? int.MaxValue : (int)length);
    }

    public static ExecutionResult ToResult(ResponseHeader header, ReadOnlySpan<byte> message) => (header.Status switch
    {
        0 => ExecutionResult.Pass(header.Duration),
        1 => ExecutionResult.Fail(Utf8.GetString(message), header.Duration),
        2 => ExecutionResult.Timeout(header.Duration),
        _ => throw new InvalidDataException($"The sandbox worker sent an unknown status {header.Status}."),
    }) with { CpuTime = header.CpuTime };
}
