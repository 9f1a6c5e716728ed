//! Long-term keys taken out of plaintext files and looked after: moving them
//! into the keystore and managing them there ([`import`]), and rotating them
//! in IAM without ever losing a working key ([`rotate`]). The top layer: it
//! plans and resolves credentials like any command.

pub mod import;
pub mod rotate;
