using System.Net;
using System.Net.Sockets;

namespace CodexSharp.Execution.Tests;

/// <summary>Programs that try to reach the network: services on the host's loopback, DNS, any interface.</summary>
[Collection(SandboxCollection.Name)]
public sealed class NetworkTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_tcp_service_on_the_hosts_loopback_is_unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        var program = $"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=0.5)\ns.sendall(b'stolen')\n";
        var result = await sandbox.RunAsync(program);
        Assert.Equal("failed: [Errno 111] Connection refused", result.Result);
        Assert.False(accepted.IsCompleted);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task A_udp_service_on_the_hosts_loopback_gets_nothing()
    {
        using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.Client.LocalEndPoint!).Port;
        var received = server.ReceiveAsync();
        // A DNS-shaped query, as a program exfiltrating data through a resolver would send it.
        var program = $"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.sendto(b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x06secret\\x00\\x00\\x01\\x00\\x01', ('127.0.0.1', {port}))\nimport time\ntime.sleep(0.2)\n";
        var result = await sandbox.RunAsync(program);
        await Task.WhenAny(received, Task.Delay(500));
        Assert.False(received.IsCompleted, "the host's UDP listener received a datagram from the sandbox");
        Assert.Equal("passed", result.Result);
        await sandbox.AssertHealthyAsync();
    }

    [Fact]
    public async Task Names_do_not_resolve_and_there_is_no_interface_but_loopback()
    {
        var resolve = await sandbox.RunAsync("import socket\nsocket.getaddrinfo('example.com', 443)\n");
        Assert.StartsWith("failed: [Errno -", resolve.Result);
        var interfaces = await sandbox.RunAsync("import socket\nnames = [n for _, n in socket.if_nameindex()]\nassert names != ['lo'], names\n");
        Assert.Equal("failed: ['lo']", interfaces.Result);
        var route = await sandbox.RunAsync("import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.connect(('192.0.2.1', 9))\n");
        Assert.Equal("failed: [Errno 101] Network is unreachable", route.Result);
        await sandbox.AssertHealthyAsync();
    }
}
