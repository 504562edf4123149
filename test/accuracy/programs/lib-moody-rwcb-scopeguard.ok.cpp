// accuracy-family: stranded-consumer
// accuracy-origin: touwaeriol/virtualLan src/client/Client.cpp (tap reader thread -> moodycamel::BlockingReaderWriterCircularBuffer -> handler thread in wait_dequeue), re-expressed as a correct variant: the end marker is sent by a scope guard
// accuracy-shape: queue=moodycamel::BlockingReaderWriterCircularBuffer spawner=std::jthread producer=member-function consumer=member-function exit=return wait=jthread-destructor protocol=end-marker marker=scope-guard
//
// The same forwarder as lib-moody-rwcb-tap-endmarker, written correctly: the
// reader's end-of-stream frame is enqueued by the destructor of a guard
// object, so the early return on a failed read still sends it. A checker
// that only looks for an enqueue on each return path will not find one
// here; the guard does it.
#include <readerwriterqueue/readerwritercircularbuffer.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using Frame = std::vector<std::uint8_t>;
using FrameQueue = moodycamel::BlockingReaderWriterCircularBuffer<Frame>;

template <class F> class ScopeExit {
public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() { f_(); }

private:
  F f_;
};

class FakeTap {
public:
  long read(std::uint8_t *buffer, std::size_t size) {
    if (delivered_ == 40)
      return -1; // EIO: the interface was removed
    ++delivered_;
    std::size_t n = size < 64 ? size : 64;
    for (std::size_t i = 0; i < n; ++i)
      buffer[i] = static_cast<std::uint8_t>(delivered_ ^ i);
    return static_cast<long>(n);
  }

private:
  int delivered_ = 0;
};

class TapForwarder {
public:
  explicit TapForwarder(std::size_t mtu) : mtu_(mtu), frames_(8) {}

  void run() {
    std::jthread sender([this] { sendLoop(); });
    std::jthread reader([this] { readLoop(); });
  }

  const std::string &error() const { return error_; }
  std::size_t sentFrames() const { return sentFrames_; }

private:
  void readLoop() {
    ScopeExit endOfStream([this] { frames_.wait_enqueue(Frame()); });
    for (;;) {
      Frame frame(mtu_);
      long n = tap_.read(frame.data(), frame.size());
      if (n < 0) {
        error_ = "tap device read failed";
        return;
      }
      if (n == 0)
        return;
      frame.resize(static_cast<std::size_t>(n));
      frames_.wait_enqueue(std::move(frame));
    }
  }

  void sendLoop() {
    for (;;) {
      Frame frame;
      frames_.wait_dequeue(frame);
      if (frame.empty())
        return;
      ++sentFrames_;
    }
  }

  std::size_t mtu_;
  FakeTap tap_;
  FrameQueue frames_;
  std::string error_;
  std::size_t sentFrames_ = 0;
};

int main() {
  TapForwarder forwarder(1500);
  forwarder.run();
  if (!forwarder.error().empty()) {
    std::printf("tunnel down after %zu frames: %s\n", forwarder.sentFrames(),
                forwarder.error().c_str());
    return 0;
  }
  std::printf("tunnel closed\n");
  return 0;
}
