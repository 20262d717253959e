//! The Extism kernel, imported by hand (no crates): module `extism:host/env`, 64-bit offsets into
//! the host's kernel memory: input, output, error and the plugin's config.

#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    fn input_length() -> u64;
    fn input_load_u8(offset: u64) -> u8;
    fn input_load_u64(offset: u64) -> u64;
    #[link_name = "alloc"]
    fn extism_alloc(length: u64) -> u64;
    fn store_u8(offset: u64, value: u8);
    fn store_u64(offset: u64, value: u64);
    fn output_set(offset: u64, length: u64);
    fn error_set(offset: u64);
    fn config_get(offset: u64) -> u64;
    fn length(offset: u64) -> u64;
    fn load_u8(offset: u64) -> u8;
    fn free(offset: u64);
}

/// The call's input bytes.
pub fn input() -> Vec<u8> {
    unsafe {
        let n = input_length();
        let mut out = Vec::with_capacity(n as usize);
        let mut i = 0u64;
        while i + 8 <= n {
            out.extend_from_slice(&input_load_u64(i).to_le_bytes());
            i += 8;
        }
        while i < n {
            out.push(input_load_u8(i));
            i += 1;
        }
        out
    }
}

/// Copies bytes into a new kernel block and returns its offset.
fn to_block(bytes: &[u8]) -> u64 {
    unsafe {
        let offset = extism_alloc(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        let mut at = offset;
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            store_u64(at, u64::from_le_bytes(word));
            at += 8;
        }
        for b in chunks.remainder() {
            store_u8(at, *b);
            at += 1;
        }
        offset
    }
}

/// Sets the call's output.
pub fn output(bytes: &[u8]) {
    let offset = to_block(bytes);
    unsafe { output_set(offset, bytes.len() as u64) }
}

/// Sets the call's error message; the export then returns 1.
pub fn error(message: &str) -> i32 {
    let offset = to_block(message.as_bytes());
    unsafe { error_set(offset) }
    1
}

/// Runs an export body: `Ok(bytes)` becomes the output (return 0), `Err(msg)` the Extism error (return 1).
pub fn run(body: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>) -> i32 {
    match body(&input()) {
        Ok(bytes) => {
            output(&bytes);
            0
        }
        Err(message) => error(&message),
    }
}

/// The plugin config value for `key` (Extism `config_get`: `graft.plugins.<id>.config.<key>` in
/// Spring Boot, `--config key=value` for `graft call`), or `None`.
pub fn config(key: &str) -> Option<String> {
    unsafe {
        let k = to_block(key.as_bytes());
        let v = config_get(k);
        free(k);
        if v == 0 {
            return None;
        }
        let n = length(v);
        let mut bytes = Vec::with_capacity(n as usize);
        for i in 0..n {
            bytes.push(load_u8(v + i));
        }
        free(v);
        String::from_utf8(bytes).ok()
    }
}
