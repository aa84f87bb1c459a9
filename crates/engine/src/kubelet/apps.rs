//! What the simulated servers answer: HTTP responses and the log lines requests leave behind.

use super::images::App;

/// An HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: String,
}

/// The default nginx page.
pub const NGINX_INDEX: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

const NGINX_404: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n";

/// The line a server logs when it starts.
pub fn start_log(app: App) -> Vec<String> {
    match app {
        App::Kubia | App::KubiaUnhealthy | App::KubiaVersion(_) | App::KubiaV3 => {
            vec!["Kubia server starting...".into()]
        }
        App::Nginx => vec![
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration".into(),
            "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
        ],
        App::Httpd => vec!["AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.0.1. Set the 'ServerName' directive globally to suppress this message".into()],
        App::Redis => vec!["1:M * Ready to accept connections tcp".into()],
        App::Mongo => vec!["{\"t\":{\"$date\":\"2026-03-02T09:00:00.000+00:00\"},\"s\":\"I\",  \"c\":\"NETWORK\",  \"id\":23016,   \"ctx\":\"listener\",\"msg\":\"Waiting for connections\",\"attr\":{\"port\":27017,\"ssl\":\"off\"}}".into()],
        App::KubectlProxy => vec!["Starting to serve on 127.0.0.1:8001".into()],
    }
}

/// Serves one HTTP request. `count` is the number of requests this process has served before
/// this one; `static_file` reads the container's files (for nginx).
pub fn serve(
    app: App,
    count: u64,
    hostname: &str,
    path: &str,
    static_file: &dyn Fn(&str) -> Option<String>,
) -> HttpResponse {
    let n = count + 1;
    let ok = |body: String| HttpResponse { status: 200, body };
    match app {
        App::Kubia => ok(format!("You've hit {hostname}\n")),
        App::KubiaVersion(v) => ok(format!("This is v{v} running in pod {hostname}\n")),
        App::KubiaUnhealthy => {
            if n > 5 {
                HttpResponse { status: 500, body: "I'm not well. Please restart me!".into() }
            } else {
                ok(format!("You've hit {hostname}\n"))
            }
        }
        App::KubiaV3 => {
            if n >= 5 {
                HttpResponse {
                    status: 500,
                    body: format!("Some internal error has occurred! This is pod {hostname}\n"),
                }
            } else {
                ok(format!("This is v3 running in pod {hostname}\n"))
            }
        }
        App::Nginx => {
            let file =
                if path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
            match static_file(&format!("/usr/share/nginx/html{file}")) {
                Some(body) => ok(body),
                None if file == "/index.html" => ok(NGINX_INDEX.into()),
                None => HttpResponse { status: 404, body: NGINX_404.into() },
            }
        }
        App::Httpd => ok("<html><body><h1>It works!</h1></body></html>\n".into()),
        App::KubectlProxy => ok(String::new()),
        App::Redis | App::Mongo => HttpResponse { status: 0, body: String::new() },
    }
}

/// The log line a request leaves, if the server logs requests.
pub fn request_log(
    app: App,
    client_ip: &str,
    path: &str,
    status: u16,
    user_agent: &str,
    date: &str,
) -> Option<String> {
    match app {
        App::Kubia | App::KubiaUnhealthy | App::KubiaVersion(_) | App::KubiaV3 => {
            Some(format!("Received request from ::ffff:{client_ip}"))
        }
        App::Nginx => Some(format!(
            "{client_ip} - - [{date}] \"GET {path} HTTP/1.1\" {status} 615 \"-\" \"{user_agent}\" \"-\""
        )),
        App::Httpd => Some(format!("{client_ip} - - [{date}] \"GET {path} HTTP/1.1\" {status} 45")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubia_variants_fail_as_the_book_describes() {
        let none = |_: &str| None;
        assert_eq!(serve(App::KubiaUnhealthy, 4, "p", "/", &none).status, 200);
        assert_eq!(serve(App::KubiaUnhealthy, 5, "p", "/", &none).status, 500);
        assert_eq!(serve(App::KubiaV3, 3, "p", "/", &none).status, 200);
        assert_eq!(serve(App::KubiaV3, 4, "p", "/", &none).status, 500);
        assert_eq!(serve(App::Kubia, 0, "kubia-x", "/", &none).body, "You've hit kubia-x\n");
    }
}
