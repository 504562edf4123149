// accuracy-family: stranded-producer
// accuracy-origin: FFmpeg fftools/thread_queue.h and thread_queue.c (tq_send() waits for room and returns AVERROR_EOF once the receiving side has called tq_receive_finish(); tq_send_finish() marks the end of a stream, after which tq_receive() reports AVERROR_EOF), re-expressed in C++ as a decoder -> frame queue -> encoder pipeline
// accuracy-shape: queue=cv-thread-queue-finish-flags spawner=class-start()+stop()-join producer=member-function-thread consumer=calling-thread exit=break-after-receive-finish wait=join
//
// Correct: a decoder thread sends frames into a bounded thread queue and
// marks the stream finished at the end; the encoder on the calling thread
// receives until the end of the stream. The encoder fails on a damaged
// frame and leaves its loop early -- after calling receive_finish(), so
// the decoder's next send() returns AVERROR_EOF and the decoder stops,
// and stop() can join it.
#include <cerrno>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

constexpr int AVERROR_EOF = -0x20464f45; // FFERRTAG('E','O','F',' ')
constexpr int AVERROR_EINVAL = -EINVAL;

struct Frame {
  int width = 0, height = 0;
  long long pts = 0;
};

class ThreadQueue {
public:
  ThreadQueue(unsigned nb_streams, std::size_t queue_size)
      : finished_(nb_streams, 0), queue_size_(queue_size) {}

  int send(unsigned stream_idx, const Frame &frame) {
    std::unique_lock<std::mutex> lock(lock_);
    int &finished = finished_[stream_idx];
    if (finished & FINISHED_SEND)
      return AVERROR_EINVAL;
    cond_.wait(lock, [&] { return (finished & FINISHED_RECV) || fifo_.size() < queue_size_; });
    if (finished & FINISHED_RECV) {
      finished |= FINISHED_SEND;
      return AVERROR_EOF;
    }
    fifo_.push_back({stream_idx, frame});
    cond_.notify_all();
    return 0;
  }

  void send_finish(unsigned stream_idx) {
    std::lock_guard<std::mutex> lock(lock_);
    finished_[stream_idx] |= FINISHED_SEND;
    cond_.notify_all();
  }

  // 0 with a frame; AVERROR_EOF with *stream_idx >= 0 when that stream has
  // ended, with *stream_idx == -1 when all have.
  int receive(int *stream_idx, Frame *frame) {
    std::unique_lock<std::mutex> lock(lock_);
    for (;;) {
      if (!fifo_.empty()) {
        *stream_idx = static_cast<int>(fifo_.front().stream);
        *frame = fifo_.front().frame;
        fifo_.pop_front();
        cond_.notify_all();
        return 0;
      }
      bool all_done = true;
      for (unsigned i = 0; i < finished_.size(); ++i) {
        if ((finished_[i] & FINISHED_SEND) && !(finished_[i] & FINISHED_REPORTED)) {
          finished_[i] |= FINISHED_REPORTED;
          *stream_idx = static_cast<int>(i);
          return AVERROR_EOF;
        }
        all_done = all_done && (finished_[i] & FINISHED_SEND);
      }
      if (all_done) {
        *stream_idx = -1;
        return AVERROR_EOF;
      }
      cond_.wait(lock);
    }
  }

  void receive_finish(unsigned stream_idx) {
    std::lock_guard<std::mutex> lock(lock_);
    finished_[stream_idx] |= FINISHED_RECV;
    cond_.notify_all();
  }

private:
  enum { FINISHED_SEND = 1, FINISHED_RECV = 2, FINISHED_REPORTED = 4 };
  struct Elem {
    unsigned stream;
    Frame frame;
  };

  std::mutex lock_;
  std::condition_variable cond_;
  std::vector<int> finished_;
  std::deque<Elem> fifo_;
  std::size_t queue_size_;
};

class Decoder {
public:
  Decoder(ThreadQueue &out, int frames, int damaged)
      : out_(out), frames_(frames), damaged_(damaged) {}

  void start() {
    thread_ = std::thread([this] { decodeLoop(); });
  }
  void stop() {
    if (thread_.joinable())
      thread_.join();
  }

private:
  void decodeLoop() {
    for (int n = 0; n < frames_; ++n) {
      Frame f{1920, 1080, n * 3003LL};
      if (n == damaged_)
        f.width = f.height = 0; // concealment failed
      if (out_.send(0, f) < 0) {
        std::printf("decoder: encoder closed its input, stopping\n");
        break;
      }
    }
    out_.send_finish(0); // end of stream (a no-op once the receiver is gone)
  }

  ThreadQueue &out_;
  int frames_, damaged_;
  std::thread thread_;
};

class Encoder {
public:
  int encode(const Frame &f) {
    if (f.width == 0 || f.height == 0)
      return AVERROR_EINVAL;
    ++packets_;
    return 0;
  }

private:
  long packets_ = 0;
};

int main() {
  ThreadQueue frames(/*nb_streams=*/1, /*queue_size=*/8);
  Decoder dec(frames, /*frames=*/500, /*damaged=*/37);
  Encoder enc;
  dec.start();

  int ret = 0;
  for (;;) {
    int stream = -1;
    Frame f;
    if (frames.receive(&stream, &f) == AVERROR_EOF)
      break;
    if ((ret = enc.encode(f)) < 0) {
      std::printf("encoder: error encoding frame pts=%lld: Invalid argument\n", f.pts);
      frames.receive_finish(0);
      break;
    }
  }
  dec.stop();
  return 0;
}
