// accuracy-family: stranded-consumer
// accuracy-origin: touwaeriol/virtualLan src/client/Client.cpp (Client::loopUdpData: a tap reader thread feeds a moodycamel::BlockingReaderWriterCircularBuffer<vector<Byte>> to a handler thread blocked in wait_dequeue), re-expressed with an empty frame as end marker
// accuracy-shape: queue=moodycamel::BlockingReaderWriterCircularBuffer spawner=std::jthread producer=member-function consumer=member-function exit=return wait=jthread-destructor protocol=end-marker
//
// A VPN client forwards frames from a tap device to a UDP sender through a
// BlockingReaderWriterCircularBuffer, which cannot be closed: the reader
// enqueues an empty frame when the device reaches EOF, and the sender
// stops at that empty frame. When a read fails (the tap went down), the
// reader records the error and returns -- past the end marker. The sender
// waits in wait_dequeue forever and the jthread destructors of run() never
// finish joining.
#include <readerwriterqueue/readerwritercircularbuffer.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

using Frame = std::vector<std::uint8_t>;

// A tap device that delivers a few frames, then fails.
class FakeTap {
public:
  long read(std::uint8_t *buffer, std::size_t size) {
    if (delivered_ == 5)
      return -1; // EIO: the interface was removed
    ++delivered_;
    std::size_t n = size < 60 ? size : 60;
    for (std::size_t i = 0; i < n; ++i)
      buffer[i] = static_cast<std::uint8_t>(delivered_ + i);
    return static_cast<long>(n);
  }

private:
  int delivered_ = 0;
};

class TapForwarder {
public:
  explicit TapForwarder(std::size_t mtu) : mtu_(mtu), frames_(32) {}

  void run() {
    std::jthread sender([this] { sendLoop(); });
    std::jthread reader([this] { readLoop(); });
  }

  const std::string &error() const { return error_; }

private:
  void readLoop() {
    for (;;) {
      Frame frame(mtu_);
      long n = tap_.read(frame.data(), frame.size());
      if (n < 0) {
        error_ = "tap device read failed";
        return;
      }
      if (n == 0)
        break;
      frame.resize(static_cast<std::size_t>(n));
      frames_.wait_enqueue(std::move(frame));
    }
    frames_.wait_enqueue(Frame()); // end of stream
  }

  void sendLoop() {
    for (;;) {
      Frame frame;
      frames_.wait_dequeue(frame); // accuracy: blocks
      if (frame.empty())
        return;
      sentBytes_ += frame.size(); // sendto() the server
    }
  }

  std::size_t mtu_;
  FakeTap tap_;
  moodycamel::BlockingReaderWriterCircularBuffer<Frame> frames_;
  std::string error_;
  std::size_t sentBytes_ = 0;
};

int main() {
  TapForwarder forwarder(1500);
  forwarder.run();
  if (!forwarder.error().empty()) {
    std::printf("tunnel down: %s\n", forwarder.error().c_str());
    return 0;
  }
  std::printf("tunnel closed\n");
  return 0;
}
