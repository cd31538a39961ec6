// The node's JSON API: POST /api/v1/<Service>/<Method> with protobuf JSON.
// Every call carries X-PWX-Request, the header a page of another origin
// cannot add, so the node refuses forged cross-site posts.

// An answer other than 200: the HTTP status, the gRPC code name
// ("INVALID_ARGUMENT"), the message and, when the node named one, the
// request field at fault ("case.undertaking.country_of_establishment").
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || '';
  }
}

// Calls `service`.`method` with `body` (a plain object); resolves to the
// response object, rejects with ApiError.
export async function call(service, method, body = {}) {
  let response;
  try {
    response = await fetch(`/api/v1/${service}/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-PWX-Request': '1'},
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'UNAVAILABLE', e.message);
  }
  return readAnswer(response);
}

async function readAnswer(response) {
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch (e) {
    data = {message: text};
  }
  if (!response.ok) {
    throw new ApiError(response.status, data.code, data.message, data.field);
  }
  return data;
}

// Uploads `file` (a File) to the raw upload endpoint `path`: the body is
// the file's bytes, its type the Content-Type, its name (percent-encoded)
// X-PWX-File-Name. Resolves to the changed case or request.
export async function upload(path, file, headers = {}) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: Object.assign({
      'Content-Type': file.type || 'application/octet-stream',
      'X-PWX-Request': '1',
      'X-PWX-File-Name': encodeURIComponent(file.name),
    }, headers),
    body: file,
  });
  return readAnswer(response);
}
