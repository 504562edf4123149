// accuracy-family: stranded-producer
// accuracy-origin: cameron314/readerwriterqueue readerwritercircularbuffer.h (wait_enqueue_timed() returns false when the timeout expires) and the timed push of DUNE-DAQ's iomanager queues that gives up at a deadline (DUNE-DAQ/iomanager StdDeQueue::push(obj, timeout) throwing on expiry)
// accuracy-shape: queue=moodycamel-blocking-circular-buffer push=timed-deadline spawner=std::thread producer=calling-thread-member consumer=lambda exit=return wait=join
//
// A capture loop hands video frames to an encoder thread through a
// single-producer/single-consumer buffer that has no close. The encoder
// fails on the first frame and returns without telling anyone. The capture
// loop's push waits at most 50 ms and, when that deadline passes, reports
// the stall and returns: the push gives up, so nothing blocks forever.
// Correct.
#include <readerwriterqueue/readerwritercircularbuffer.h>
#include <chrono>
#include <cstdio>
#include <thread>

using namespace std::chrono_literals;

struct VideoFrame {
  long pts = 0;
  int width = 1920, height = 1080;
};

using FrameBuffer = moodycamel::BlockingReaderWriterCircularBuffer<VideoFrame>;

// The hardware encoder is missing: every frame fails.
class Encoder {
public:
  bool encode(const VideoFrame &frame) {
    lastPts_ = frame.pts;
    return false;
  }
  long lastPts() const { return lastPts_; }

private:
  long lastPts_ = -1;
};

class CaptureLoop {
public:
  CaptureLoop(FrameBuffer &out, std::chrono::milliseconds deadline)
      : out_(out), deadline_(deadline) {}

  // Runs on the calling thread. False when the encoder stalled.
  bool run(long frames) {
    for (long pts = 0; pts < frames; ++pts)
      if (!out_.wait_enqueue_timed(VideoFrame{pts}, deadline_))
        return false; // the encoder stalled: drop the stream
    return true;
  }

private:
  FrameBuffer &out_;
  std::chrono::milliseconds deadline_;
};

int main() {
  FrameBuffer frames(4);
  Encoder encoder;
  bool encoderFailed = false;
  std::thread encoderThread([&] {
    VideoFrame frame;
    for (;;) {
      frames.wait_dequeue(frame);
      if (!encoder.encode(frame)) {
        encoderFailed = true;
        return;
      }
    }
  });

  CaptureLoop capture(frames, 50ms);
  bool complete = capture.run(10000);
  encoderThread.join();
  if (encoderFailed)
    std::printf("error: encoder failed on its first frame\n");
  if (!complete)
    std::printf("capture stopped: the encoder stalled\n");
  return 0;
}
