// Frame channels for pseries-wasm's network backends: a Linux TAP device (open by name) or a UDP
// socket (one datagram = one frame). A non-blocking fd watched by libuv (uv_poll); frames read in
// batches into a caller-provided buffer (which may be a view of the emulator's Wasm memory),
// written from one. Knows nothing of PAPR: frames are opaque bytes.
#include <napi.h>
#include <uv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace {

// Room needed for one read: QEMU's NET_BUFSIZE (64 KiB frame + headroom). A read into less
// space could truncate a frame, so readBatch stops before the free space drops below this.
constexpr size_t kMaxFrame = 4096 + 65536;
// recvBatch: per-datagram slot; holds the largest IPv4 UDP payload (65507), so none is truncated.
constexpr size_t kUdpSlot = 65536;
// recvBatch: datagrams per recvmmsg call at most.
constexpr size_t kMaxMsgs = 1024;

Napi::Error ErrnoError(Napi::Env env, int err, const std::string& what, const char* hint) {
  std::string msg = what + ": " + strerror(err);
  if (hint != nullptr) msg += std::string(" (") + hint + ")";
  Napi::Error e = Napi::Error::New(env, msg);
  const char* code = err == ENOENT ? "ENOENT" : err == EPERM ? "EPERM" : err == EACCES ? "EACCES"
                     : err == EBUSY ? "EBUSY" : err == EINVAL ? "EINVAL" : err == EADDRINUSE ? "EADDRINUSE"
                     : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : "EIO";
  e.Set("code", Napi::String::New(env, code));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

class Tap : public Napi::ObjectWrap<Tap> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function cls = DefineClass(env, "Tap", {
      InstanceMethod("start", &Tap::Start),
      InstanceMethod("stop", &Tap::Stop),
      InstanceMethod("readBatch", &Tap::ReadBatch),
      InstanceMethod("recvBatch", &Tap::RecvBatch),
      InstanceMethod("write", &Tap::Write),
      InstanceMethod("close", &Tap::Close),
      InstanceAccessor("name", &Tap::Name, nullptr),
      InstanceAccessor("fd", &Tap::Fd, nullptr),
      InstanceAccessor("localPort", &Tap::LocalPort, nullptr),
      InstanceAccessor("recvBuffer", &Tap::RecvBuffer, nullptr),
    });
    exports.Set("Tap", cls);
    exports.Set("MAX_FRAME", Napi::Number::New(env, static_cast<double>(kMaxFrame)));
    exports.Set("UDP_SLOT", Napi::Number::New(env, static_cast<double>(kUdpSlot)));
    return exports;
  }

  // new Tap(name): "" lets the kernel pick tapN.
  // new Tap({ udp: true, localHost, localPort, remoteHost, remotePort }): a bound IPv4 UDP
  // socket sending to the remote address and receiving from any (QEMU's socket,udp= rule).
  explicit Tap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() > 0 && info[0].IsObject()) {
      OpenUdp(env, info[0].As<Napi::Object>());
      return;
    }
    std::string name = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    if (name.size() >= IFNAMSIZ) {
      Napi::TypeError::New(env, "tap name too long (at most 15 characters)").ThrowAsJavaScriptException();
      return;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      const char* hint = err == ENOENT ? "no TUN/TAP support: load the tun module or create the device node"
                         : (err == EACCES || err == EPERM) ? "needs root or CAP_NET_ADMIN" : nullptr;
      ErrnoError(env, err, "could not open /dev/net/tun", hint).ThrowAsJavaScriptException();
      return;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
      int err = errno;
      close(fd);
      const char* hint = err == EBUSY ? "the name is in use by another process"
                         : (err == EPERM || err == EACCES) ? "needs root or CAP_NET_ADMIN"
                         : err == EINVAL ? "an interface of another kind has this name" : nullptr;
      ErrnoError(env, err, "could not configure /dev/net/tun (" + name + ")", hint).ThrowAsJavaScriptException();
      return;
    }
    fd_ = fd;
    name_ = ifr.ifr_name;
  }

  ~Tap() override { Release(); }

  void OpenUdp(Napi::Env env, Napi::Object o) {
    std::string lhost = o.Get("localHost").ToString().Utf8Value();
    std::string rhost = o.Get("remoteHost").ToString().Utf8Value();
    int lport = o.Get("localPort").ToNumber().Int32Value();
    int rport = o.Get("remotePort").ToNumber().Int32Value();
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(static_cast<uint16_t>(lport));
    remote_.sin_family = AF_INET;
    remote_.sin_port = htons(static_cast<uint16_t>(rport));
    if (inet_pton(AF_INET, lhost.c_str(), &local.sin_addr) != 1 || inet_pton(AF_INET, rhost.c_str(), &remote_.sin_addr) != 1) {
      Napi::TypeError::New(env, "udp: IPv4 addresses expected").ThrowAsJavaScriptException();
      return;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ErrnoError(env, errno, "socket", nullptr).ThrowAsJavaScriptException();
      return;
    }
    // A bigger kernel receive queue when asked: the emulator reads between CPU slices, not
    // concurrently like QEMU's I/O thread. FORCE (root) may exceed rmem_max; else it is capped.
    Napi::Value rb = o.Get("recvBuffer");
    if (rb.IsNumber()) {
      int sz = rb.ToNumber().Int32Value();
      if (sz > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
      }
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
      int err = errno;
      close(fd);
      ErrnoError(env, err, "can't bind ip=" + lhost + " to socket", nullptr).ThrowAsJavaScriptException();
      return;
    }
    socklen_t len = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
    localPort_ = ntohs(local.sin_port);
    fd_ = fd;
    udp_ = true;
    name_ = "udp";
  }

 private:
  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }
  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
  Napi::Value LocalPort(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), localPort_); }
  // SO_RCVBUF as the kernel reports it (twice the bytes asked, for its bookkeeping).
  Napi::Value RecvBuffer(const Napi::CallbackInfo& info) {
    int sz = 0;
    socklen_t len = sizeof sz;
    if (fd_ >= 0) getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &sz, &len);
    return Napi::Number::New(info.Env(), sz);
  }

  // start(onReadable): calls onReadable() whenever the fd has frames, until stop().
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Throw(env, "tap is closed");
    if (info.Length() > 0 && info[0].IsFunction()) onReadable_ = Napi::Persistent(info[0].As<Napi::Function>());
    if (onReadable_.IsEmpty()) return Throw(env, "start(onReadable) needs a function");
    if (poll_ == nullptr) {
      uv_loop_t* loop = nullptr;
      napi_get_uv_event_loop(env, &loop);
      poll_ = new uv_poll_t;
      if (uv_poll_init(loop, poll_, fd_) != 0) {
        delete poll_;
        poll_ = nullptr;
        return Throw(env, "uv_poll_init failed");
      }
      poll_->data = this;
    }
    if (!polling_) {
      uv_poll_start(poll_, UV_READABLE, OnPoll);
      polling_ = true;
      Ref();  // keep the object alive while libuv may call back into it
    }
    return env.Undefined();
  }

  // stop(): no more callbacks until start() (backpressure: the device has no room).
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    StopPolling();
    return info.Env().Undefined();
  }

  // readBatch(dst: Uint8Array, lens: Uint32Array) -> n. Frames are stored back to back from
  // dst[0]; lens[i] is frame i's length. Stops at EAGAIN, at lens.length frames, or when less
  // than MAX_FRAME bytes remain in dst.
  Napi::Value ReadBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Throw(env, "tap is closed");
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
      return Throw(env, "readBatch(dst: Uint8Array, lens: Uint32Array)");
    }
    Napi::Uint8Array dst = info[0].As<Napi::Uint8Array>();
    Napi::Uint32Array lens = info[1].As<Napi::Uint32Array>();
    uint8_t* p = dst.Data();
    size_t room = dst.ByteLength();
    size_t n = 0;
    while (n < lens.ElementLength() && room >= kMaxFrame) {
      ssize_t r = read(fd_, p, room);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        ErrnoError(env, errno, "tap " + name_ + ": read", nullptr).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      if (r == 0) {
        // UDP: a zero-length datagram (QEMU reads it as end of connection): reported as a
        // 0-length frame, and the batch ends there. TAP: nothing more to read.
        if (udp_) lens[n++] = 0;
        break;
      }
      lens[n++] = static_cast<uint32_t>(r);
      p += r;
      room -= static_cast<size_t>(r);
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // recvBatch(dst: Uint8Array, lens: Uint32Array) -> n (UDP channel): up to lens.length datagrams
  // (and at most dst.length / UDP_SLOT) with one recvmmsg call, datagram i at dst[i * UDP_SLOT].
  // One system call per batch instead of one read per datagram. 0 at EAGAIN. A zero-length
  // datagram ends the batch (lens[i] = 0, QEMU's end of connection).
  Napi::Value RecvBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Throw(env, "tap is closed");
    if (!udp_) return Throw(env, "recvBatch: UDP channels only");
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray()) {
      return Throw(env, "recvBatch(dst: Uint8Array, lens: Uint32Array)");
    }
    Napi::Uint8Array dst = info[0].As<Napi::Uint8Array>();
    Napi::Uint32Array lens = info[1].As<Napi::Uint32Array>();
    size_t max = std::min({lens.ElementLength(), dst.ByteLength() / kUdpSlot, kMaxMsgs});
    if (max == 0) return Napi::Number::New(env, 0);
    if (msgs_.size() < max) {
      msgs_.resize(max);
      iovs_.resize(max);
    }
    uint8_t* base = dst.Data();
    for (size_t i = 0; i < max; i++) {
      // Slot i lies inside dst: max <= dst.ByteLength() / kUdpSlot.
      iovs_[i].iov_base = base + i * kUdpSlot;
      iovs_[i].iov_len = kUdpSlot;
      memset(&msgs_[i], 0, sizeof msgs_[i]);
      msgs_[i].msg_hdr.msg_iov = &iovs_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    int r;
    do {
      r = recvmmsg(fd_, msgs_.data(), static_cast<unsigned>(max), MSG_DONTWAIT, nullptr);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Number::New(env, 0);
      ErrnoError(env, errno, "udp: recvmmsg", nullptr).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    size_t n = 0;
    for (int i = 0; i < r; i++) {
      lens[n++] = msgs_[i].msg_len;
      if (msgs_[i].msg_len == 0) break;  // end of connection: what follows is not delivered
    }
    return Napi::Number::New(env, static_cast<double>(n));
  }

  // write(frame: Uint8Array) -> true if sent, false if the kernel queue is full (EAGAIN).
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Throw(env, "tap is closed");
    if (info.Length() < 1 || !info[0].IsTypedArray()) return Throw(env, "write(frame: Uint8Array)");
    Napi::Uint8Array src = info[0].As<Napi::Uint8Array>();
    for (;;) {
      ssize_t r = udp_ ? sendto(fd_, src.Data(), src.ByteLength(), 0, reinterpret_cast<const sockaddr*>(&remote_), sizeof remote_)
                       : write(fd_, src.Data(), src.ByteLength());
      if (r >= 0) return Napi::Boolean::New(env, true);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
      // EIO while the interface is down: the frame is lost, as on a wire with no carrier.
      // UDP: ECONNREFUSED (an earlier datagram met a closed port), EMSGSIZE: lost likewise.
      if (errno == EIO || errno == ECONNREFUSED || errno == EMSGSIZE || errno == ENOBUFS) return Napi::Boolean::New(env, false);
      ErrnoError(env, errno, "tap " + name_ + ": write", nullptr).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Release();
    return info.Env().Undefined();
  }

  Napi::Value Throw(Napi::Env env, const char* msg) {
    Napi::Error::New(env, msg).ThrowAsJavaScriptException();
    return env.Undefined();
  }

  void StopPolling() {
    if (polling_) {
      uv_poll_stop(poll_);
      polling_ = false;
      Unref();
    }
  }

  void Release() {
    if (poll_ != nullptr) {
      if (polling_) {
        uv_poll_stop(poll_);
        polling_ = false;
        // No Unref here: Release may run from the destructor, where the reference is gone.
      }
      poll_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
      poll_ = nullptr;
    }
    if (fd_ >= 0) {
      close(fd_);
      fd_ = -1;
    }
    onReadable_.Reset();
  }

  static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
    Tap* self = static_cast<Tap*>(handle->data);
    if (self == nullptr || self->onReadable_.IsEmpty()) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      self->onReadable_.Call({Napi::String::New(env, uv_strerror(status))});
    } else {
      self->onReadable_.Call({});
    }
    // A JS exception from the callback would otherwise be lost silently.
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }

  int fd_ = -1;
  bool udp_ = false;
  int localPort_ = 0;
  sockaddr_in remote_{};
  std::string name_;
  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  std::vector<mmsghdr> msgs_;  // recvBatch scratch, grown on demand
  std::vector<iovec> iovs_;
  Napi::FunctionReference onReadable_;
};

}  // namespace

Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return Tap::Init(env, exports); }

NODE_API_MODULE(tap, InitAll)
