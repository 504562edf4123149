// accuracy-family: stranded-consumer
// accuracy-origin: rigaya/NVEnc issue #373, commit 14912fb1 (NVEncCore/NVEncCore.cpp at 14912fb1^: the th_input lambda returns on a DecodePacket error before the final flush that ends decoding; CuvidDecode::DecodePacket set m_bError only when cuvidParseVideoData threw, so the encode loop, which waits for GetError() or end of decode, never stops), re-expressed in C++
// accuracy-shape: queue=cv-frame-queue-event fix=error-flag-on-every-failure spawner=std::thread-lambda producer=lambda-helper-2 consumer=calling-thread-member-function exit=return-error-code wait=event-wait
//
// A transcoder: an input thread reads packets and hands them to the
// decoder, whose picture callback puts decoded frames on a frame queue; a
// null packet flushes the parser, which marks the end of decoding. The
// encode loop on the calling thread takes frames until the decoder reports
// an error or decoding has ended and the queue is empty, and otherwise
// waits for the queue's status-change event. A corrupt packet makes the
// parser return an error code; decodePacket() sets the decoder's error only
// when the parser throws, and the input thread returns without the final
// flush: nothing will ever change the queue's status again.
//
// The upstream fix: DecodePacket() sets the decoder's error on every
// failed parse, not only on an exception, which wakes the encode loop.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

enum CUresult { CUDA_SUCCESS = 0, CUDA_ERROR_UNKNOWN = 999 };

struct Frame {
  int pictureIndex = 0;
  long long timestamp = 0;
};

class FrameQueue {
public:
  static constexpr std::size_t cnMaximumSize = 20;

  void enqueue(const Frame &frame) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      room_.wait(lock, [&] { return frames_.size() < cnMaximumSize; });
      frames_.push_back(frame);
    }
    signalStatusChange();
  }

  // non-blocking
  bool dequeue(Frame *frame) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (frames_.empty())
      return false;
    *frame = frames_.front();
    frames_.pop_front();
    room_.notify_one();
    return true;
  }

  bool isEmpty() {
    std::lock_guard<std::mutex> lock(mutex_);
    return frames_.empty();
  }

  bool isEndOfDecode() const { return endOfDecode_; }

  void endDecode() {
    endOfDecode_ = true;
    signalStatusChange();
  }

  // An auto-reset event: returns once the status has changed since the
  // last call.
  void waitForQueueUpdate() {
    std::unique_lock<std::mutex> lock(eventMutex_);
    event_.wait(lock, [&] { return signaled_; });
    signaled_ = false;
  }

  void signalStatusChange() {
    std::lock_guard<std::mutex> lock(eventMutex_);
    signaled_ = true;
    event_.notify_all();
  }

private:
  std::mutex mutex_;
  std::condition_variable room_;
  std::deque<Frame> frames_;
  std::atomic<bool> endOfDecode_{false};
  std::mutex eventMutex_;
  std::condition_variable event_;
  bool signaled_ = false;
};

struct Packet {
  std::vector<unsigned char> data;
  long long pts = 0;
};

// Stands in for the hardware parser: a packet that starts with 0xFF is
// corrupt and makes it fail with an error code (it throws only on a null
// parser, which does not happen here).
class VideoParser {
public:
  explicit VideoParser(std::function<void(const Frame &)> onDisplay,
                       std::function<void()> onEndOfStream)
      : onDisplay_(std::move(onDisplay)), onEndOfStream_(std::move(onEndOfStream)) {}

  CUresult parse(const Packet *packet) {
    if (!packet) {
      onEndOfStream_();
      return CUDA_SUCCESS;
    }
    if (!packet->data.empty() && packet->data[0] == 0xFF)
      return CUDA_ERROR_UNKNOWN;
    onDisplay_(Frame{next_++ % 8, packet->pts});
    return CUDA_SUCCESS;
  }

private:
  std::function<void(const Frame &)> onDisplay_;
  std::function<void()> onEndOfStream_;
  int next_ = 0;
};

class CuvidDecode {
public:
  CuvidDecode()
      : parser_([this](const Frame &f) { frameQueue_.enqueue(f); },
                [this] { frameQueue_.endDecode(); }) {}

  CUresult DecodePacket(const Packet *packet) {
    CUresult result = CUDA_SUCCESS;
    try {
      result = parser_.parse(packet);
    } catch (...) {
      result = CUDA_ERROR_UNKNOWN;
    }
    if (result != CUDA_SUCCESS)
      setError();
    return result;
  }

  bool GetError() const { return error_; }
  FrameQueue *frameQueue() { return &frameQueue_; }

private:
  void setError() {
    error_ = true;
    frameQueue_.signalStatusChange();
  }

  FrameQueue frameQueue_;
  VideoParser parser_;
  std::atomic<bool> error_{false};
};

class FileReader {
public:
  explicit FileReader(int packets, int corruptAt)
      : packets_(packets), corruptAt_(corruptAt) {}
  // false at the end of the file
  bool GetNextBitstream(Packet *packet) {
    if (next_ == packets_)
      return false;
    packet->pts = next_ * 3003;
    packet->data.assign(188, 0x47);
    if (next_ == corruptAt_)
      packet->data[0] = 0xFF;
    ++next_;
    return true;
  }

private:
  int packets_, corruptAt_, next_ = 0;
};

class Encoder {
public:
  void encodeFrame(const Frame &frame) { lastPts_ = frame.timestamp; }

private:
  long long lastPts_ = 0;
};

class NVEncCore {
public:
  NVEncCore(FileReader &reader) : reader_(reader) {}

  int Encode() {
    std::thread th_input([this] {
      Packet packet;
      CUresult curesult = CUDA_SUCCESS;
      while (!dec_.GetError() && reader_.GetNextBitstream(&packet)) {
        if (CUDA_SUCCESS != (curesult = dec_.DecodePacket(&packet))) {
          std::printf("Error in DecodePacket: %d (CUDA_ERROR_UNKNOWN).\n", curesult);
          return;
        }
      }
      dec_.DecodePacket(nullptr); // flush: ends the decode
    });

    FrameQueue *queue = dec_.frameQueue();
    for (;;) {
      if (dec_.GetError() || (queue->isEndOfDecode() && queue->isEmpty()))
        break;
      Frame frame;
      if (!queue->dequeue(&frame)) {
        queue->waitForQueueUpdate();
        continue;
      }
      encoder_.encodeFrame(frame);
    }
    th_input.join();
    return dec_.GetError() ? 1 : 0;
  }

private:
  FileReader &reader_;
  CuvidDecode dec_;
  Encoder encoder_;
};

int main() {
  FileReader reader(/*packets=*/400, /*corruptAt=*/120); // a damaged MPEG-2 stream
  NVEncCore core(reader);
  if (core.Encode() != 0)
    std::printf("NVEncC: encode failed: decoder error\n");
  else
    std::printf("NVEncC: encode finished\n");
  return 0;
}
