package tessexec

import (
	"os/exec"
	"syscall"
)

// hideWindow keeps tesseract.exe from opening a console window when the
// desk (a GUI program without a console) starts it.
func hideWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: 0x08000000} // CREATE_NO_WINDOW
}
